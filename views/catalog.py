"""Every UI string, in bokmål and English. Questionnaire texts come from the YAML instead."""

from __future__ import annotations

STRINGS: dict[str, dict[str, str]] = {
    # app and navigation
    "app.title": {"nb": "Forbedringsmodenhet", "en": "Improvement maturity"},
    "nav.start": {"nb": "Start", "en": "Start"},
    "nav.assess": {"nb": "Egenvurdering", "en": "Self-assessment"},
    "nav.workshop": {"nb": "Arbeidsmøte", "en": "Team workshop"},
    "nav.result": {"nb": "Resultat og tiltak", "en": "Result and actions"},
    "nav.participate": {"nb": "Delta i arbeidsmøte", "en": "Join a workshop"},
    "nav.overview": {"nb": "Oversikt", "en": "Overview"},
    "nav.progress": {"nb": "Utvikling over tid", "en": "Progress over time"},
    "nav.profile": {"nb": "Enhetsprofil", "en": "Unit profile"},
    "nav.roadmap": {"nb": "Veikart", "en": "Roadmap"},
    "nav.validate": {"nb": "Validering", "en": "Validation"},
    "validate.not_advisor": {
        "nb": "Validering gjøres av kvalitetsrådgivere.",
        "en": "Validation is done by quality advisors.",
    },
    "validate.none": {
        "nb": "Ingen innsendte vurderinger å validere i {cycle}.",
        "en": "No submitted assessments to validate in {cycle}.",
    },
    "validate.counts": {
        "nb": "{waiting} venter på validering, {done} er validert.",
        "en": "{waiting} waiting for validation, {done} validated.",
    },
    "validate.counts_returned": {
        "nb": "{waiting} venter på validering, {returned} er sendt tilbake til enheten, {done} er validert.",
        "en": "{waiting} waiting for validation, {returned} sent back to the unit, {done} validated.",
    },
    "validate.status_returned": {
        "nb": "sendt tilbake, venter på enheten",
        "en": "sent back, waiting for the unit",
    },
    "validate.returned_note": {
        "nb": "Sendt tilbake til enheten, som kan rette vurderingen og sende den inn på nytt. Begrunnelsen du ga:",
        "en": "Sent back to the unit, which can correct the assessment and submit it again. The reason you gave:",
    },
    "validate.approve": {"nb": "Valider", "en": "Validate"},
    "validate.comment": {
        "nb": "Hvorfor sendes vurderingen tilbake?",
        "en": "Why is the assessment sent back?",
    },
    "validate.send_back": {"nb": "Send tilbake til enheten", "en": "Send back to the unit"},
    "validate.approved": {
        "nb": "Vurderingen for {unit} er validert.",
        "en": "The assessment for {unit} is validated.",
    },
    "validate.returned": {
        "nb": "Vurderingen for {unit} er sendt tilbake til enheten.",
        "en": "The assessment for {unit} is sent back to the unit.",
    },
    "nav.menu": {"nb": "Sider", "en": "Pages"},
    "nav.section.assess": {"nb": "Vurdere", "en": "Assess"},
    "nav.section.follow": {"nb": "Følge opp", "en": "Follow up"},
    "nav.section.join": {"nb": "Deltaker", "en": "Participant"},
    "sidebar.language": {"nb": "Språk", "en": "Language"},
    "sidebar.user": {"nb": "Logg inn som", "en": "Sign in as"},
    "sidebar.user_help": {
        "nb": "Demomodus: velg en bruker for å se verktøyet med den brukerens rettigheter.",
        "en": "Demo mode: pick a user to see the tool with that user's rights.",
    },
    "sidebar.sign_in": {"nb": "Logg inn", "en": "Sign in"},
    "sidebar.sign_out": {"nb": "Logg ut", "en": "Sign out"},
    "sidebar.signed_in": {"nb": "Innlogget: {name}", "en": "Signed in: {name}"},
    "sidebar.demo": {
        "nb": "Demodata: en oppdiktet klinikk. Ingen ekte enheter eller personer.",
        "en": "Demo data: a fictional clinic. No real units or people.",
    },
    "sidebar.roles": {"nb": "Roller: {roles}", "en": "Roles: {roles}"},
    "role.admin": {"nb": "administrator", "en": "administrator"},
    "role.management": {"nb": "ledelse", "en": "management"},
    "role.leader": {"nb": "enhetsleder", "en": "unit leader"},
    "role.advisor": {"nb": "kvalitetsrådgiver", "en": "quality advisor"},
    "role.participant": {"nb": "deltaker", "en": "participant"},
    "workshop.loopback": {
        "nb": "Lenken og QR-koden peker til denne maskinen ({host}), som deltakernes telefoner ikke "
        "når. For et arbeidsmøte på telefoner: start appen med «--server.address 0.0.0.0» (se "
        "README) og åpne den med maskinens adresse i nettverket, eller sett MATURITY_BASE_URL.",
        "en": "The link and QR code point to this machine ({host}), which the participants' phones "
        'cannot reach. For a workshop on phones: start the app with "--server.address 0.0.0.0" '
        "(see the README) and open it at the machine's address on the network, or set "
        "MATURITY_BASE_URL.",
    },
    "waysin.local": {
        "nb": "Lokal modus: appen nås bare fra denne maskinen.",
        "en": "Local mode: the app can be reached from this machine only.",
    },
    "waysin.network": {
        "nb": "Åpen i nettverket uten innlogging: andre når bare deltakelse i arbeidsmøter.",
        "en": "Open to the network without sign-in: others reach workshop participation only.",
    },
    "waysin.locked": {
        "nb": "Appen er åpnet for nettverket uten innlogging, så her er bare deltakelse i "
        "arbeidsmøter åpen. Administratoren kommer inn med lenken som står i konsollen der "
        "appen ble startet.",
        "en": "The app is open to the network without sign-in, so only workshop participation "
        "is open here. The administrator gets in with the link printed in the console where "
        "the app was started.",
    },
    "waysin.header_unconfigured": {
        "nb": "Appen er satt opp for innlogging gjennom en proxy (MATURITY_AUTH=header), men "
        "vet ikke hvordan den skal kjenne igjen proxyen: sett MATURITY_PROXY_SECRET (minst 16 "
        "tegn) og la proxyen sende den i X-Maturity-Proxy-Secret. Til da vises ingenting.",
        "en": "The app is set up for sign-in through a proxy (MATURITY_AUTH=header) but has no "
        "way to know its proxy: set MATURITY_PROXY_SECRET (16 characters or more) and have the "
        "proxy send it as X-Maturity-Proxy-Secret. Until then nothing is shown.",
    },
    "waysin.not_signed_in": {
        "nb": "Du er ikke logget inn. Åpne appen gjennom virksomhetens innlogging.",
        "en": "You are not signed in. Open the app through your organisation's sign-in.",
    },
    "waysin.no_access": {
        "nb": "Du er logget inn som {who}, men har ingen tilgang i appen ennå. Be administratoren "
        "om å legge deg inn med rollen din.",
        "en": "You are signed in as {who} but have no access to the app yet. Ask the administrator "
        "to add you with your role.",
    },
    "waysin.no_admin": {
        "nb": "Ingen administrator er registrert. Legg inn brukere med "
        "«python -m storage load-access data/access.yaml».",
        "en": "No administrator is registered. Add users with "
        '"python -m storage load-access data/access.yaml".',
    },
    "common.sign_in_first": {
        "nb": "Velg en bruker i sidefeltet for å begynne.",
        "en": "Pick a user in the sidebar to begin.",
    },
    "common.no_units": {
        "nb": "Du er ikke enhetsleder for noen enhet. Kontakt administrator om du skal vurdere en enhet.",
        "en": "You are not the leader of any unit. Ask the administrator if you should assess one.",
    },
    "common.no_open_cycle": {
        "nb": "Ingen syklus er åpen for vurdering nå.",
        "en": "No cycle is open for assessment now.",
    },
    "common.unit": {"nb": "Enhet", "en": "Unit"},
    "common.cycle": {"nb": "Syklus", "en": "Cycle"},
    "common.level": {"nb": "Nivå", "en": "Level"},
    "common.score": {"nb": "Skår", "en": "Score"},
    "common.dimension": {"nb": "Dimensjon", "en": "Dimension"},
    "common.overall": {"nb": "Samlet", "en": "Overall"},
    "common.reload": {"nb": "Last inn på nytt", "en": "Reload"},
    "common.find_unit": {
        "nb": "Finn enheten (skriv en del av navnet)",
        "en": "Find the unit (type part of its name)",
    },
    "common.find_unit_help": {
        "nb": "Du har tilgang til {n} enheter, for mange til én liste.",
        "en": "You have access to {n} units, too many for one list.",
    },
    "common.find_unit_first": {
        "nb": "Skriv en del av navnet for å velge blant {n} enheter.",
        "en": "Type part of the name to choose among {n} units.",
    },
    "common.find_unit_none": {
        "nb": "Ingen enheter har et navn med det.",
        "en": "No unit has a name with that in it.",
    },
    "error.unexpected": {
        "nb": "Noe gikk galt her, og det er ikke din feil. Svarene som alt er lagret, er trygge. "
        "Prøv igjen, og oppgi koden {incident} om du kontakter brukerstøtte.",
        "en": "Something went wrong here, and it is not your fault. Answers already saved are safe. "
        "Try again, and quote the code {incident} if you contact support.",
    },
    "common.level_label": {"nb": "Nivå {level} – {label}", "en": "Level {level} – {label}"},
    "common.no_score": {"nb": "ingen skår", "en": "no score"},
    "common.download_table": {"nb": "Last ned tabell", "en": "Download table"},
    "common.download_csv": {"nb": "Last ned CSV", "en": "Download CSV"},
    "common.download_xlsx": {"nb": "Last ned Excel", "en": "Download Excel"},
    # start page
    "home.title": {"nb": "Forbedringsreisen", "en": "The improvement journey"},
    "home.intro": {
        "nb": "Én gang i året vurderer hver enhet hvor moden den er i forbedringsarbeidet, slik "
        "forskrift om ledelse og kvalitetsforbedring ber om (§ 8: ledelsens gjennomgang). "
        "Vurderingen er for læring: den viser hvor enheten står, hva neste steg er, og hvordan "
        "klinikken beveger seg langs veikartet.",
        "en": "Once a year every unit assesses how mature its improvement work is, as the regulation "
        "on management and quality improvement asks (§ 8: the management review). The assessment "
        "is for learning: it shows where the unit stands, what the next step is, and how the clinic "
        "moves along the roadmap.",
    },
    "home.levels": {"nb": "De fem modenhetsnivåene", "en": "The five maturity levels"},
    "home.roadmap": {"nb": "Veikartet", "en": "The roadmap"},
    "home.roadmap_intro": {
        "nb": "Veikartet har fem trinn, ett per år. En enhet har nådd et trinn når alle kriteriene "
        "for trinnet og alle trinn under er oppfylt.",
        "en": "The roadmap has five stages, one a year. A unit has reached a stage when every "
        "criterion of that stage and of all stages below is met.",
    },
    "home.stage_row": {"nb": "{id} {label} – planlagt {period}", "en": "{id} {label} – planned {period}"},
    "home.due": {"nb": "Dette skal gjøres i {cycle}", "en": "Due in {cycle}"},
    "home.due_none": {
        "nb": "Du har ingen enheter å vurdere i denne syklusen.",
        "en": "You have no units to assess in this cycle.",
    },
    "home.status.not_started": {"nb": "ikke startet", "en": "not started"},
    "home.status.draft": {
        "nb": "påbegynt ({answered} av {total} besvart)",
        "en": "started ({answered} of {total} answered)",
    },
    "home.status.submitted": {"nb": "sendt inn", "en": "submitted"},
    "home.status.validated": {"nb": "validert", "en": "validated"},
    "home.status.returned": {"nb": "sendt tilbake: {comment}", "en": "returned: {comment}"},
    "home.go_assess": {"nb": "Gå til egenvurderingen", "en": "Go to the self-assessment"},
    "home.go_overview": {"nb": "Gå til oversikten", "en": "Go to the overview"},
    "home.more_units.one": {"nb": "… og {n} enhet til.", "en": "… and {n} more unit."},
    "home.more_units.other": {"nb": "… og {n} enheter til.", "en": "… and {n} more units."},
    "home.units.one": {"nb": "{n} enhet", "en": "{n} unit"},
    "home.units.other": {"nb": "{n} enheter", "en": "{n} units"},
    "home.node_status": {
        "nb": "{node}: {submitted} av {units} har sendt inn, {drafts} er påbegynt, {waiting} er ikke startet.",
        "en": "{node}: {submitted} of {units} have submitted, {drafts} started, {waiting} not started.",
    },
    # the form
    "form.title": {"nb": "Egenvurdering", "en": "Self-assessment"},
    "form.start": {"nb": "Start eller fortsett vurderingen", "en": "Start or continue the assessment"},
    "form.intro": {
        "nb": "Velg beskrivelsen som passer best for enheten slik den fungerer i dag. Svarene "
        "lagres med en gang, så du kan ta en pause og fortsette senere.",
        "en": "Choose the description that fits the unit best as it works today. Answers are saved "
        "at once, so you can take a break and continue later.",
    },
    "form.progress": {
        "nb": "Dimensjon {step} av {steps} · {answered} av {total} spørsmål besvart",
        "en": "Dimension {step} of {steps} · {answered} of {total} questions answered",
    },
    "form.dont_know": {"nb": "Vet ikke / ikke aktuelt", "en": "Don't know / not applicable"},
    "form.yes": {"nb": "Ja", "en": "Yes"},
    "form.no": {"nb": "Nei", "en": "No"},
    "form.comment": {"nb": "Kommentar", "en": "Comment"},
    "form.evidence": {"nb": "Dokumentasjon", "en": "Evidence"},
    "form.evidence_help": {"nb": "For eksempel: {hint}", "en": "For example: {hint}"},
    "form.last_cycle": {"nb": "Forrige syklus ({cycle}): {answer}", "en": "Last cycle ({cycle}): {answer}"},
    "form.previous": {"nb": "← Forrige dimensjon", "en": "← Previous dimension"},
    "form.next": {"nb": "Neste dimensjon →", "en": "Next dimension →"},
    "form.submit": {"nb": "Send inn vurderingen", "en": "Submit the assessment"},
    "form.review_and_submit": {"nb": "Se over og send inn", "en": "Review and submit"},
    "form.confirm_title": {"nb": "Send inn?", "en": "Submit?"},
    "form.confirm_what": {"nb": "{unit}, {cycle}", "en": "{unit}, {cycle}"},
    "form.confirm_line": {
        "nb": "{dimension}: {done} av {of} besvart",
        "en": "{dimension}: {done} of {of} answered",
    },
    "form.confirm_unknown.one": {"nb": "({n} «vet ikke»)", "en": '({n} "don\'t know")'},
    "form.confirm_unknown.other": {"nb": "({n} «vet ikke»)", "en": '({n} "don\'t know")'},
    "form.confirm_send": {"nb": "Send inn", "en": "Submit"},
    "form.confirm_back": {"nb": "Tilbake til skjemaet", "en": "Back to the form"},
    "form.after_submit": {
        "nb": "Etter innsending ser ledelsen resultatet, og en kvalitetsrådgiver kan validere det. Du kan "
        "trekke vurderingen tilbake så lenge den ikke er validert.",
        "en": "Once submitted, management sees the result and a quality advisor can validate it. You can "
        "take the assessment back as long as it is not validated.",
    },
    "form.reopen": {"nb": "Trekk tilbake innsendingen", "en": "Take the submission back"},
    "form.reopen_help": {
        "nb": "Gjør vurderingen til et utkast igjen, slik at du kan endre den. Mulig til den er validert.",
        "en": "Makes the assessment a draft again, so you can change it. Possible until it is validated.",
    },
    "form.reopened": {
        "nb": "Vurderingen er et utkast igjen. Send den inn på nytt når du er ferdig.",
        "en": "The assessment is a draft again. Submit it again when you are done.",
    },
    "form.ladder_help": {
        "nb": "Nivåene bygger på hverandre: velg det høyeste nivået der alt i beskrivelsen stemmer for enheten i dag.",
        "en": "The levels build on each other: choose the highest level where everything in the description holds for the unit today.",
    },
    "form.checklist_heading": {"nb": "Sjekkliste: {text}", "en": "Checklist: {text}"},
    "form.distribution.one": {
        "nb": "Slik vurderte deltakeren (bare {n} svar):",
        "en": "How the participant rated ({n} answer only):",
    },
    "form.distribution.other": {
        "nb": "Slik vurderte de {n} deltakerne:",
        "en": "How the {n} participants rated:",
    },
    "form.saved": {"nb": "Lagret", "en": "Saved"},
    "form.busy": {
        "nb": "Databasen er opptatt et øyeblikk, for eksempel med en stor import. Svaret ditt er tatt vare på her og lagres av seg selv så snart databasen er ledig – ingenting går tapt.",
        "en": "The database is busy for a moment, for example with a large import. Your answer is kept here and saved automatically as soon as the database is free; nothing is lost.",
    },
    "form.missing": {
        "nb": "Vurderingen kan ikke sendes inn ennå. Disse spørsmålene mangler svar:",
        "en": "The assessment cannot be submitted yet. These questions have no answer:",
    },
    "form.missing_item": {"nb": "{dimension}: {item}", "en": "{dimension}: {item}"},
    "form.read_only": {
        "nb": "Vurderingen er {status} og kan ikke endres. Se resultatet under «Resultat og tiltak».",
        "en": 'The assessment is {status} and cannot be changed. See the result under "Result and actions".',
    },
    "form.returned": {
        "nb": "Sendt tilbake av kvalitetsrådgiver: {comment}",
        "en": "Returned by the quality advisor: {comment}",
    },
    "form.reference": {"nb": "Forskriften {reference}", "en": "Regulation {reference}"},
    "form.checklist": {"nb": "Sjekkliste", "en": "Checklist"},
    "form.rationale": {"nb": "Begrunnelse for det dere ble enige om", "en": "Rationale for what you agreed"},
    # result page
    "result.title": {"nb": "Resultat og tiltak", "en": "Result and actions"},
    "result.none": {
        "nb": "Ingen innsendt vurdering for denne enheten i {cycle} ennå.",
        "en": "No submitted assessment for this unit in {cycle} yet.",
    },
    "result.overall": {"nb": "Samlet nivå", "en": "Overall level"},
    "result.stage": {"nb": "Veikart", "en": "Roadmap"},
    "result.stage_value": {"nb": "Trinn {stage} nådd", "en": "Stage {stage} reached"},
    "result.stage_none": {"nb": "Trinn 1.0 ikke nådd", "en": "Stage 1.0 not reached"},
    "result.journey": {
        "nb": "Framdrift på veikartet: {journey} ({share} % av kriteriene for trinn {stage} er oppfylt)",
        "en": "Progress on the roadmap: {journey} ({share} % of the criteria for stage {stage} are met)",
    },
    "result.journey_top": {
        "nb": "Framdrift på veikartet: {journey}",
        "en": "Progress on the roadmap: {journey}",
    },
    "result.chart_axis": {
        "nb": "Skår (1 = Tilfeldig, 5 = Integrert)",
        "en": "Score (1 = Ad hoc, 5 = Integrated)",
    },
    "result.chart_help": {
        "nb": "Søylen viser skåren denne syklusen, med nivået i tekst; den mørke streken viser forrige syklus.",
        "en": "The bar shows this cycle's score, with the level in words; the dark mark shows the previous cycle.",
    },
    "result.respondents.one": {"nb": "Bygger på 1 svar", "en": "Based on 1 response"},
    "result.respondents.other": {"nb": "Bygger på {n} svar", "en": "Based on {n} responses"},
    "result.status": {"nb": "Status: {status}", "en": "Status: {status}"},
    "result.profile": {"nb": "Profil per dimensjon", "en": "Profile by dimension"},
    "result.this_cycle": {"nb": "Denne syklusen", "en": "This cycle"},
    "result.previous_cycle": {"nb": "Forrige syklus", "en": "Previous cycle"},
    "result.spread_flag": {"nb": "Stor spredning – drøft", "en": "Wide spread – discuss"},
    "result.missing_title": {"nb": "Dette mangler på veikartet", "en": "What is missing on the roadmap"},
    "result.missing_intro": {
        "nb": "Et trinn er nådd når kriteriene for trinnet og for alle trinn under er oppfylt. Her er det som "
        "mangler for hvert trinn enheten ikke har nådd: nærmeste trinn først, og innen hvert trinn det som "
        "er nærmest å bli oppfylt først.",
        "en": "A stage is reached when the criteria of that stage and of every stage below are met. Here is "
        "what is missing for each stage the unit has not reached: the nearest stage first, and within each "
        "stage what is closest to being met first.",
    },
    "result.missing_stage": {
        "nb": "Trinn {stage} {label}: {missing} av {total} kriterier mangler",
        "en": "Stage {stage} {label}: {missing} of {total} criteria missing",
    },
    "result.missing_stage_none": {
        "nb": "Trinn {stage} {label}: alle {total} kriteriene er oppfylt",
        "en": "Stage {stage} {label}: all {total} criteria are met",
    },
    "result.missing_none_here": {
        "nb": "Alle kriteriene for dette trinnet er oppfylt. Trinnet nås når trinnene under er nådd.",
        "en": "Every criterion of this stage is met. The stage is reached once the stages below are.",
    },
    "result.top_reached": {
        "nb": "Enheten har nådd øverste trinn.",
        "en": "The unit has reached the top stage.",
    },
    "result.criterion_dimension": {
        "nb": "{dimension}: minst nivå {level} ({label}), nå {value}",
        "en": "{dimension}: at least level {level} ({label}), now {value}",
    },
    "result.criterion_item": {
        "nb": "«{item}»: minst nivå {level} ({label}), nå {value}",
        "en": '"{item}": at least level {level} ({label}), now {value}',
    },
    "result.criterion_no_value": {"nb": "ikke besvart", "en": "not answered"},
    "result.criterion_yesno_unanswered": {"nb": "{item} (ikke besvart)", "en": "{item} (not answered)"},
    "result.criterion_yesno_share": {
        "nb": "{item} (ja fra {share} % av dem som svarte; minst halvparten må svare ja)",
        "en": "{item} (yes from {share} % of those who answered; at least half must say yes)",
    },
    "result.next_steps": {"nb": "Neste steg", "en": "Next steps"},
    "result.next_steps_intro": {
        "nb": "For de svakeste dimensjonene: slik ser neste nivå ut. Bruk beskrivelsene som forslag til tiltak.",
        "en": "For the weakest dimensions: this is what the next level looks like. Use the descriptions as suggestions for actions.",
    },
    "result.next_level": {"nb": "Neste nivå: {label}", "en": "Next level: {label}"},
    "result.action_plan": {"nb": "Handlingsplan", "en": "Action plan"},
    "result.action_plan_intro": {
        "nb": "Lag en handlingsplan før dere avslutter: hva dere skal gjøre, hvem som har ansvaret og innen når.",
        "en": "Make an action plan before you finish: what you will do, who is responsible and by when.",
    },
    "result.action_what": {"nb": "Hva skal gjøres", "en": "What will be done"},
    "result.action_who": {"nb": "Hvem er ansvarlig", "en": "Who is responsible"},
    "result.action_due": {"nb": "Frist", "en": "Due"},
    "result.action_dimension": {"nb": "Gjelder dimensjon", "en": "Dimension"},
    "result.action_add": {"nb": "Legg til tiltak", "en": "Add action"},
    "result.action_added": {"nb": "Tiltaket er lagt til.", "en": "The action has been added."},
    "result.action_status": {"nb": "Status", "en": "Status"},
    "result.action_none": {"nb": "Ingen tiltak ennå.", "en": "No actions yet."},
    "result.action_read_only": {
        "nb": "Du kan lese planen. Enhetens leder og ledelsen over enheten kan endre den.",
        "en": "You can read the plan. The unit's leader and the management above the unit can change it.",
    },
    "result.action_new": {"nb": "Nytt tiltak", "en": "New action"},
    "result.action_no_dimension": {"nb": "Ingen bestemt", "en": "None in particular"},
    "result.action_who_is": {"nb": "Ansvarlig: {who}", "en": "Responsible: {who}"},
    "result.action_due_on": {"nb": "Frist: {due}", "en": "Due: {due}"},
    "result.action_concerns": {"nb": "Gjelder: {dimension}", "en": "Concerns: {dimension}"},
    "result.action_edit": {"nb": "Endre", "en": "Edit"},
    "result.action_delete": {"nb": "Slett", "en": "Delete"},
    "result.action_save": {"nb": "Lagre endringene", "en": "Save the changes"},
    "result.action_cancel": {"nb": "Avbryt", "en": "Cancel"},
    "result.action_saved": {"nb": "Endringene er lagret.", "en": "The changes have been saved."},
    "result.action_delete_confirm": {
        "nb": "Vil du slette dette tiltaket? Det kan ikke angres.",
        "en": "Delete this action? This cannot be undone.",
    },
    "result.action_delete_yes": {"nb": "Ja, slett tiltaket", "en": "Yes, delete the action"},
    "result.action_deleted": {"nb": "Tiltaket er slettet.", "en": "The action has been deleted."},
    "result.action_gone": {
        "nb": "Tiltaket finnes ikke lenger: noen andre har slettet det.",
        "en": "The action no longer exists: someone else has deleted it.",
    },
    "result.action_stored_now": {
        "nb": "Slik er tiltaket lagret nå. Lagre igjen for å erstatte det med det du har skrevet:",
        "en": "This is the action as stored now. Save again to replace it with what you have written:",
    },
    "action.planned": {"nb": "planlagt", "en": "planned"},
    "action.in_progress": {"nb": "pågår", "en": "in progress"},
    "action.done": {"nb": "fullført", "en": "done"},
    "action.dropped": {"nb": "avbrutt", "en": "dropped"},
    # workshop
    "workshop.title": {"nb": "Arbeidsmøte", "en": "Team workshop"},
    "workshop.intro": {
        "nb": "Slik brukes Manchester-rammeverket: alle vurderer først hver for seg, uten å snakke "
        "sammen. Så ser dere på hvor vurderingene sprer seg, drøfter forskjellene og blir enige. "
        "Ingen ser hvem som svarte hva.",
        "en": "The Manchester framework way: everyone first rates privately, without discussion. "
        "Then you look at where the ratings spread, discuss the differences and agree. Nobody sees "
        "who answered what.",
    },
    "workshop.start": {"nb": "Start arbeidsmøtet", "en": "Start the workshop"},
    "workshop.how": {
        "nb": "Slik foregår det: 1) Alle vurderer enheten hver for seg på mobilen, uten å snakke sammen. "
        "2) Når minst 3 har sendt inn, avslutter du runden, og dere ser sammen hvor mange som valgte hvert "
        "nivå – spørsmålene med størst spredning først. 3) Dere drøfter forskjellene, blir enige, og du "
        "registrerer nivået og begrunnelsen. Bare det dere ble enige om, blir enhetens vurdering.",
        "en": "How it goes: 1) Everyone rates the unit privately on their phone, without talking. 2) Once at "
        "least 3 have sent in, you close the round and look together at how many chose each level – the "
        "questions with the widest spread first. 3) You discuss the differences, agree, and you record the "
        "level and the rationale. Only what you agreed becomes the unit's assessment.",
    },
    "workshop.expected": {
        "nb": "Hvor mange deltakere venter du?",
        "en": "How many participants do you expect?",
    },
    "workshop.expected_help": {
        "nb": "Flere enn dette slipper ikke inn, så ingen kan svare flere ganger. Du kan endre tallet underveis.",
        "en": "No more than this can join, so nobody can answer several times. You can change the number as you go.",
    },
    "workshop.already_submitted": {
        "nb": "Enhetens vurdering for denne syklusen er {status}. Et arbeidsmøte kan ikke endre den.",
        "en": "The unit's assessment for this cycle is {status}. A workshop cannot change it.",
    },
    "workshop.phase_1": {"nb": "Hver for seg", "en": "Privately"},
    "workshop.phase_2": {"nb": "Fordelingen", "en": "The distribution"},
    "workshop.phase_3": {"nb": "Enighet", "en": "Agreement"},
    "workshop.share": {
        "nb": "Del lenken eller koden med deltakerne",
        "en": "Share the link or the code with the participants",
    },
    "workshop.code": {"nb": "Kode: {code}", "en": "Code: {code}"},
    "workshop.link": {"nb": "Lenke", "en": "Link"},
    "workshop.qr": {"nb": "Skann med mobilkameraet", "en": "Scan with the phone's camera"},
    "workshop.share_help": {
        "nb": "Deltakerne åpner lenken eller skanner QR-koden. Uten lenke kan de gå til «Delta i arbeidsmøte» i appen og skrive koden.",
        "en": 'Participants open the link or scan the QR code. Without the link they can go to "Join a workshop" in the app and type the code.',
    },
    "workshop.joined": {"nb": "Har blitt med", "en": "Joined"},
    "workshop.of_expected": {"nb": "{n} av {expected}", "en": "{n} of {expected}"},
    "workshop.submitted": {"nb": "Har sendt inn", "en": "Sent in"},
    "workshop.too_few": {
        "nb": "Fordelingen kan vises når minst {minimum} har sendt inn (nå {n}), så ingen kan kjennes igjen på svarene sine.",
        "en": "The distribution can be shown once at least {minimum} have sent in (now {n}), so nobody can be recognised by their answers.",
    },
    "workshop.not_all_in.one": {
        "nb": "{n} deltaker har ikke sendt inn ennå; svarene blir ikke med om du avslutter runden nå.",
        "en": "{n} participant has not sent in yet; their answers are left out if you close the round now.",
    },
    "workshop.not_all_in.other": {
        "nb": "{n} deltakere har ikke sendt inn ennå; svarene deres blir ikke med om du avslutter runden nå.",
        "en": "{n} participants have not sent in yet; their answers are left out if you close the round now.",
    },
    "workshop.reveal": {
        "nb": "Avslutt runden og vis fordelingen",
        "en": "Close the round and show the distribution",
    },
    "workshop.reveal_help": {
        "nb": "Deltakerne kan ikke endre svarene etterpå. Fordelingen viser hvor mange som valgte hvert nivå, aldri hvem.",
        "en": "Participants cannot change their answers afterwards. The distribution shows how many chose each level, never who.",
    },
    "workshop.settings": {"nb": "Antall deltakere, avbryt", "en": "Number of participants, cancel"},
    "workshop.change_expected": {"nb": "Endre antallet", "en": "Change the number"},
    "workshop.cancel": {"nb": "Avbryt arbeidsmøtet", "en": "Cancel the workshop"},
    "workshop.cancel_help": {
        "nb": "Avbryter du, slutter lenken og koden å virke, og svarene som er gitt, slettes uten å bli vist.",
        "en": "If you cancel, the link and the code stop working, and the answers given are deleted unseen.",
    },
    "workshop.revealed.one": {
        "nb": "Fordelingen: {n} deltaker har svart",
        "en": "The distribution: {n} participant answered",
    },
    "workshop.revealed.other": {
        "nb": "Fordelingen: {n} deltakere har svart",
        "en": "The distribution: {n} participants answered",
    },
    "workshop.revealed_intro": {
        "nb": "Hver søyle viser hvor mange som valgte hvert nivå på ett spørsmål. Spørsmålene med størst spredning står først: start drøftingen der. Spør hva de som valgte ulikt, ser i hverdagen.",
        "en": "Each bar shows how many chose each level on one question. The questions with the widest spread come first: start the discussion there. Ask what those who chose differently see in their daily work.",
    },
    "workshop.spread_of": {"nb": "spredning {spread}", "en": "spread {spread}"},
    "workshop.how_many": {"nb": "Antall", "en": "How many"},
    "workshop.answer": {"nb": "Svar", "en": "Answer"},
    "workshop.record": {"nb": "Registrer det dere ble enige om", "en": "Record what you agreed"},
    "workshop.record_intro": {
        "nb": "Gå gjennom dimensjonene, velg nivået dere ble enige om og skriv kort hvorfor. Dette blir enhetens vurdering.",
        "en": "Go through the dimensions, choose the level you agreed on and write briefly why. This becomes the unit's assessment.",
    },
    "workshop.close": {"nb": "Avslutt arbeidsmøtet", "en": "Close the workshop"},
    "workshop.close_help": {
        "nb": "Når dere sender inn, avsluttes arbeidsmøtet av seg selv. Avslutter du nå, kan du fullføre vurderingen under «Egenvurdering»; fordelingen tas vare på.",
        "en": 'Submitting closes the workshop by itself. If you close it now, you can finish the assessment under "Self-assessment"; the distribution is kept.',
    },
    "participate.title": {"nb": "Arbeidsmøte", "en": "Team workshop"},
    "participate.rating_of": {"nb": "Vurdering av {unit}, {cycle}", "en": "Assessment of {unit}, {cycle}"},
    "participate.privacy_title": {"nb": "Dette skjer med svarene dine", "en": "What happens to your answers"},
    "participate.privacy": {
        "nb": "Du svarer anonymt, uten navn. Møteleder ser bare hvor mange som har sendt inn. Når runden "
        "avsluttes, ser gruppen hvor mange som valgte hvert nivå – aldri hvem som svarte hva – og bare når "
        "minst 3 har svart. Svarene dine blir ikke enhetens vurdering og vises ikke i noen rapport: de telles "
        "med i fordelingen og slettes. Enhetens vurdering er det dere blir enige om sammen.",
        "en": "You answer anonymously, without a name. The leader only sees how many have sent in. When the "
        "round closes, the group sees how many chose each level – never who answered what – and only when at "
        "least 3 have answered. Your answers do not become the unit's assessment and appear in no report: "
        "they are counted into the distribution and deleted. The unit's assessment is what you agree on together.",
    },
    "participate.intro": {
        "nb": "Svar for deg selv, uten å snakke med de andre først. Det tar rundt ti minutter.",
        "en": "Answer for yourself, without talking to the others first. It takes about ten minutes.",
    },
    "participate.begin": {"nb": "Begynn", "en": "Begin"},
    "participate.how": {
        "nb": "Velg beskrivelsen som passer best for enheten slik den er i dag. Svarene lagres med en gang.",
        "en": "Choose the description that fits the unit best as it is today. Answers are saved at once.",
    },
    "participate.after_submit": {
        "nb": "Etter innsending kan du ikke endre svarene. De telles med når møteleder avslutter runden.",
        "en": "After sending in you cannot change your answers. They are counted when the leader closes the round.",
    },
    "participate.done": {
        "nb": "Takk! Svarene dine er sendt inn. Fordelingen vises her når møteleder avslutter runden.",
        "en": "Thank you! Your answers are in. The distribution shows here when the leader closes the round.",
    },
    "participate.waiting": {"nb": "Venter på møteleder …", "en": "Waiting for the leader …"},
    "participate.revealed_intro": {
        "nb": "Slik fordelte svarene seg, spørsmålene med størst spredning først. Drøft dem med gruppen.",
        "en": "This is how the answers spread, the questions with the widest spread first. Discuss them with the group.",
    },
    "participate.round_over": {
        "nb": "Vurderingsrunden er avsluttet, så nye deltakere kan ikke bli med nå.",
        "en": "The rating round is over, so new participants cannot join now.",
    },
    "participate.closed": {
        "nb": "Arbeidsmøtet er avsluttet, og lenken virker ikke lenger. Takk for at du deltok!",
        "en": "The workshop is closed and the link no longer works. Thank you for taking part!",
    },
    "participate.bad_link": {
        "nb": "Lenken virker ikke. Sjekk at du har hele lenken, eller be møteleder om koden.",
        "en": "The link does not work. Check that you have the whole link, or ask the leader for the code.",
    },
    "participate.code_intro": {
        "nb": "Skriv koden møteleder viser. Har du fått en lenke eller QR-kode, kan du bruke den i stedet.",
        "en": "Type the code the leader shows. If you got a link or a QR code, you can use that instead.",
    },
    "participate.code": {"nb": "Kode fra møteleder", "en": "Code from the workshop leader"},
    "participate.join": {"nb": "Bli med", "en": "Join"},
    "participate.bad_code": {
        "nb": "Koden virker ikke. Sjekk at den er skrevet riktig; arbeidsmøtet kan også være avsluttet.",
        "en": "The code does not work. Check that it is typed correctly; the workshop may also be closed.",
    },
    # dashboards
    "dash.node": {"nb": "Organisasjonsnivå", "en": "Organisation level"},
    "dash.path": {"nb": "Plassering i organisasjonen", "en": "Place in the organisation"},
    "dash.sections": {"nb": "Visning", "en": "View"},
    "dash.rests_on": {"nb": "Bygger på {units} og {responses}.", "en": "Based on {units} and {responses}."},
    "dash.rests_on_cycles": {
        "nb": "Bygger på {units} med resultat i {cycles} ({results}, {responses}).",
        "en": "Based on {units} with a result in {cycles} ({results}, {responses}).",
    },
    "dash.n_units.one": {"nb": "{n} enhet", "en": "{n} unit"},
    "dash.n_units.other": {"nb": "{n} enheter", "en": "{n} units"},
    "dash.n_responses.one": {"nb": "{n} svar", "en": "{n} response"},
    "dash.n_responses.other": {"nb": "{n} svar", "en": "{n} responses"},
    "dash.n_cycles.one": {"nb": "{n} syklus", "en": "{n} cycle"},
    "dash.n_cycles.other": {"nb": "{n} sykluser", "en": "{n} cycles"},
    "dash.n_results.one": {"nb": "{n} enhetsresultat", "en": "{n} unit result"},
    "dash.n_results.other": {"nb": "{n} enhetsresultater", "en": "{n} unit results"},
    "dash.no_data": {"nb": "Ingen data for {node} i {cycle}.", "en": "No data for {node} in {cycle}."},
    "dash.no_scope": {
        "nb": "Du har ingen enheter å følge opp. Kontakt administrator.",
        "en": "You have no units to follow up. Ask the administrator.",
    },
    "dash.drill": {"nb": "Gå ned til", "en": "Drill down to"},
    "dash.share_level_3": {"nb": "Enheter på nivå 3 eller høyere", "en": "Units at level 3 or above"},
    "dash.median_journey": {
        "nb": "Framdrift på veikartet (median)",
        "en": "Progress on the roadmap (median)",
    },
    "dash.on_plan": {"nb": "I rute mot trinn {stage}", "en": "On track for stage {stage}"},
    "dash.on_plan_help": {
        "nb": "Andel enheter som har nådd trinnet planen sikter mot i denne syklusen, eller lenger.",
        "en": "Share of units that have reached the stage the plan targets in this cycle, or beyond.",
    },
    "dash.change": {"nb": "Endring siden forrige syklus", "en": "Change since last cycle"},
    "dash.heatmap": {"nb": "Modenhet per enhet og dimensjon", "en": "Maturity by unit and dimension"},
    "dash.heatmap_help": {
        "nb": "Fargen viser nivået, tallet skåren. Klikk en rad eller velg under «Gå ned til» for å se enhetene under.",
        "en": 'The colour shows the level, the number the score. Click a row or pick under "Drill down to" to see the units below.',
    },
    "dash.numbers": {"nb": "Vis tallene", "en": "Show the numbers"},
    "dash.key_figures": {"nb": "Nøkkeltall", "en": "Key figures"},
    "dash.heatmap_drill": {"nb": "Gå ned til {name}", "en": "Drill down to {name}"},
    "dash.figure": {"nb": "Last ned figur", "en": "Download figure"},
    "dash.download_both": {"nb": "Last ned figur eller tabell", "en": "Download figure or table"},
    "dash.figure_png": {"nb": "Som bilde (PNG)", "en": "As an image (PNG)"},
    "dash.figure_svg": {"nb": "Som vektorgrafikk (SVG)", "en": "As vector graphics (SVG)"},
    "dash.heatmap_order": {"nb": "Rekkefølge", "en": "Order"},
    "dash.heatmap_by_name": {"nb": "Som i organisasjonen", "en": "As in the organisation"},
    "dash.heatmap_lowest": {"nb": "Lavest samlet skår først", "en": "Lowest overall score first"},
    "dash.heatmap_rows": {"nb": "Rader", "en": "Rows"},
    "dash.heatmap_rows_range": {
        "nb": "{first}–{last} av {total}: {first_name} – {last_name}",
        "en": "{first}–{last} of {total}: {first_name} – {last_name}",
    },
    "dash.heatmap_capped": {
        "nb": "Figuren viser {shown} av {total} rader om gangen; nedlastingen har alle.",
        "en": "The chart shows {shown} of {total} rows at a time; the download has them all.",
    },
    "dash.units": {"nb": "Enheter", "en": "Units"},
    "dash.respondents": {"nb": "Svar", "en": "Responses"},
    "dash.spread": {"nb": "Spredning", "en": "Spread"},
    "dash.distribution": {"nb": "Fordeling på nivåer", "en": "Distribution over levels"},
    "dash.share_units": {"nb": "Andel enheter", "en": "Share of units"},
    "dash.completion": {"nb": "Innsending", "en": "Submissions"},
    "dash.completion_in": {"nb": "Innsending i {cycle}", "en": "Submissions in {cycle}"},
    "dash.tab.heatmap": {"nb": "Varmekart", "en": "Heatmap"},
    "dash.tab.distribution": {"nb": "Fordeling", "en": "Distribution"},
    "dash.tab.units": {"nb": "Enheter", "en": "Units"},
    "progress.tab.scores": {"nb": "Skår over tid", "en": "Scores over time"},
    "progress.tab.levels": {"nb": "Nivåer", "en": "Levels"},
    "progress.tab.movers": {"nb": "Størst endring", "en": "Largest change"},
    "roadmap.tab.reached": {"nb": "Trinn nådd", "en": "Stages reached"},
    "roadmap.tab.plan": {"nb": "Mot planen", "en": "Against the plan"},
    "roadmap.tab.timeline": {"nb": "Tidslinje", "en": "Time line"},
    "dash.submitted": {"nb": "Sendt inn", "en": "Submitted"},
    "dash.draft": {"nb": "Påbegynt", "en": "Started"},
    "dash.not_started": {"nb": "Ikke startet", "en": "Not started"},
    "dash.units_list": {"nb": "Enhetene etter status", "en": "The units by status"},
    "dash.units_which": {"nb": "Vis enhetene som", "en": "Show the units that"},
    "dash.units_which_help": {
        "nb": "Listen gjelder alle enheter under {node} i {cycle}.",
        "en": "The list covers every unit under {node} in {cycle}.",
    },
    "dash.list.not_started": {"nb": "ikke har startet", "en": "have not started"},
    "dash.list.started": {"nb": "har startet, men ikke sendt inn", "en": "have started but not submitted"},
    "dash.list.behind": {"nb": "er etter skjema", "en": "are behind schedule"},
    "dash.list.all": {"nb": "alle", "en": "all"},
    "dash.list.count.one": {"nb": "{n} enhet.", "en": "{n} unit."},
    "dash.list.count.other": {"nb": "{n} enheter.", "en": "{n} units."},
    "dash.list.capped": {
        "nb": "Viser de første {shown} av {n} enheter; nedlastingen har alle.",
        "en": "Showing the first {shown} of {n} units; the download has them all.",
    },
    "dash.list.none": {"nb": "Ingen enheter.", "en": "No units."},
    "dash.list.no_plan": {
        "nb": "Veikartet har ikke noe planlagt trinn i {cycle}.",
        "en": "The roadmap plans no stage for {cycle}.",
    },
    "dash.col.place": {"nb": "Plassering", "en": "Place"},
    "dash.col.status": {"nb": "Status", "en": "Status"},
    "dash.col.stage": {"nb": "Trinn nådd", "en": "Stage reached"},
    "dash.col.planned": {"nb": "Planlagt trinn", "en": "Planned stage"},
    "dash.col.against_plan": {"nb": "Sammenlignet med planen", "en": "Compared with the plan"},
    "status.not_started": {"nb": "ikke startet", "en": "not started"},
    "dash.all_cycles": {"nb": "alle sykluser", "en": "all cycles"},
    "progress.scores": {
        "nb": "Skår per dimensjon over tid (gjennomsnitt av enhetene)",
        "en": "Score by dimension over time (mean of the units)",
    },
    "progress.distribution": {
        "nb": "Samlet nivå: fordeling per syklus",
        "en": "Overall level: distribution by cycle",
    },
    "progress.movers": {
        "nb": "Størst endring fra {before} til {after}",
        "en": "Largest change from {before} to {after}",
    },
    "progress.no_movers": {
        "nb": "Ingen enheter har samlet skår i begge syklusene.",
        "en": "No unit has an overall score in both cycles.",
    },
    "progress.change": {"nb": "Endring", "en": "Change"},
    "progress.up": {"nb": "Opp", "en": "Up"},
    "progress.down": {"nb": "Ned", "en": "Down"},
    "profile.too_many": {
        "nb": "{n} enheter under dette organisasjonsnivået: gå ned i organisasjonen for å velge én.",
        "en": "{n} units below this organisation level: drill down in the organisation to pick one.",
    },
    "profile.history": {"nb": "Historikk per dimensjon", "en": "History by dimension"},
    "profile.targets": {"nb": "Mål og framdrift", "en": "Targets and progress"},
    "profile.no_targets": {"nb": "Ingen mål satt.", "en": "No targets set."},
    "profile.baseline": {"nb": "Utgangspunkt", "en": "Baseline"},
    "profile.target": {"nb": "Mål", "en": "Target"},
    "profile.current": {"nb": "Nå", "en": "Now"},
    "profile.progress": {"nb": "Framdrift", "en": "Progress"},
    "profile.progress_help": {
        "nb": "Framdrift = (nå − utgangspunkt) / (mål − utgangspunkt).",
        "en": "Progress = (now − baseline) / (target − baseline).",
    },
    "profile.validation": {"nb": "Innsending og validering", "en": "Submission and validation"},
    "profile.status": {"nb": "Status", "en": "Status"},
    "profile.submitted_at": {"nb": "Sendt inn", "en": "Submitted"},
    "profile.validated_at": {"nb": "Validert", "en": "Validated"},
    "profile.actions_done": {
        "nb": "{share} % av tiltakene er fullført.",
        "en": "{share} % of the actions are done.",
    },
    "profile.comments": {"nb": "Kommentarer og dokumentasjon", "en": "Comments and evidence"},
    "profile.item": {"nb": "Spørsmål", "en": "Question"},
    "roadmap.none": {"nb": "Spørreskjemaet har ikke noe veikart.", "en": "The questionnaire has no roadmap."},
    "roadmap.stage_none": {"nb": "Ikke nådd 1.0", "en": "1.0 not reached"},
    "roadmap.reached": {"nb": "Trinn nådd per syklus", "en": "Stage reached by cycle"},
    "roadmap.stage": {"nb": "Trinn", "en": "Stage"},
    "roadmap.period": {"nb": "Planlagt periode", "en": "Planned period"},
    "roadmap.planned": {"nb": "Planlagt trinn", "en": "Planned stage"},
    "roadmap.ahead": {"nb": "Foran skjema", "en": "Ahead of schedule"},
    "roadmap.on_plan": {"nb": "I rute", "en": "On track"},
    "roadmap.behind": {"nb": "Etter skjema", "en": "Behind schedule"},
    "roadmap.median_journey": {
        "nb": "Framdrift på veikartet (median)",
        "en": "Progress on the roadmap (median)",
    },
    "roadmap.against_plan": {"nb": "Sammenlignet med planen", "en": "Compared with the plan"},
    "status.draft": {"nb": "utkast", "en": "draft"},
    "status.submitted": {"nb": "sendt inn", "en": "submitted"},
    "status.validated": {"nb": "validert", "en": "validated"},
    "status.returned": {"nb": "sendt tilbake", "en": "returned"},
    # administration
    "nav.admin": {"nb": "Administrasjon", "en": "Administration"},
    "nav.section.admin": {"nb": "Administrere", "en": "Administer"},
    "admin.not_admin": {
        "nb": "Administrasjon gjøres av administratorer.",
        "en": "Administration is done by administrators.",
    },
    "admin.tab.cycles": {"nb": "Sykluser", "en": "Cycles"},
    "admin.tab.questionnaires": {"nb": "Spørreskjema", "en": "Questionnaires"},
    "admin.tab.targets": {"nb": "Mål", "en": "Targets"},
    "admin.tab.units": {"nb": "Enheter", "en": "Units"},
    "admin.tab.log": {"nb": "Logg", "en": "Log"},
    "admin.version.current": {
        "nb": "Gjeldende versjon når vurderingen startes",
        "en": "The current version when an assessment starts",
    },
    "admin.version.name": {
        "nb": "{title}, versjon {version} (nr. {id})",
        "en": "{title}, version {version} (no. {id})",
    },
    "admin.cycles.title": {"nb": "Vurderingssykluser", "en": "Assessment cycles"},
    "admin.cycles.label": {"nb": "Syklus", "en": "Cycle"},
    "admin.cycles.starts": {"nb": "Starter", "en": "Starts"},
    "admin.cycles.ends": {"nb": "Slutter", "en": "Ends"},
    "admin.cycles.deadline": {"nb": "Svarfrist", "en": "Deadline"},
    "admin.cycles.status": {"nb": "Status", "en": "Status"},
    "admin.cycles.version": {"nb": "Spørreskjema", "en": "Questionnaire"},
    "admin.cycles.next": {"nb": "Forbered neste års syklus", "en": "Prepare next year's cycle"},
    "admin.cycles.next_help": {
        "nb": "Den nye syklusen starter der den siste slutter og varer like lenge. Den åpnes med en gang.",
        "en": "The new cycle starts where the latest ends and lasts as long. It opens at once.",
    },
    "admin.cycles.create": {"nb": "Opprett syklus", "en": "Create cycle"},
    "admin.cycles.created": {
        "nb": "Syklusen {cycle} er opprettet og åpen.",
        "en": "Cycle {cycle} is created and open.",
    },
    "admin.cycles.change": {"nb": "Endre en syklus", "en": "Change a cycle"},
    "admin.cycles.save": {"nb": "Lagre syklusen", "en": "Save the cycle"},
    "admin.cycles.saved": {"nb": "Syklusen {cycle} er lagret.", "en": "Cycle {cycle} is saved."},
    "admin.status.open": {"nb": "åpen", "en": "open"},
    "admin.status.closed": {"nb": "avsluttet", "en": "closed"},
    "admin.versions.title": {"nb": "Versjoner av spørreskjemaet", "en": "Questionnaire versions"},
    "admin.versions.id": {"nb": "Nr.", "en": "No."},
    "admin.versions.questionnaire": {"nb": "Spørreskjema", "en": "Questionnaire"},
    "admin.versions.version": {"nb": "Versjon", "en": "Version"},
    "admin.versions.stored": {"nb": "Lagt inn", "en": "Stored"},
    "admin.versions.current": {"nb": "Gjeldende", "en": "Current"},
    "admin.versions.cycles": {"nb": "Valgt for sykluser", "en": "Chosen for cycles"},
    "admin.versions.assessments": {"nb": "Vurderinger", "en": "Assessments"},
    "admin.versions.upload": {"nb": "Last opp en ny versjon", "en": "Upload a new version"},
    "admin.versions.upload_help": {
        "nb": "Filen kontrolleres i sin helhet før noe lagres. Vurderinger som er gjort, beholder sin egen versjon.",
        "en": "The file is checked whole before anything is stored. Assessments already made keep their own version.",
    },
    "admin.versions.file": {"nb": "Spørreskjema (YAML)", "en": "Questionnaire (YAML)"},
    "admin.versions.roadmap_file": {"nb": "Veikart (YAML, valgfritt)", "en": "Roadmap (YAML, optional)"},
    "admin.versions.problems": {
        "nb": "{file} har {n} feil. Ingenting er lagret.",
        "en": "{file} has {n} problem(s). Nothing was stored.",
    },
    "admin.versions.file_column": {"nb": "Fil", "en": "File"},
    "admin.versions.line": {"nb": "Linje", "en": "Line"},
    "admin.versions.problem": {"nb": "Feil", "en": "Problem"},
    "admin.versions.valid": {
        "nb": "«{title}», versjon {version}: {dimensions} dimensjoner og {items} spørsmål. Slik blir skjemaet:",
        "en": "'{title}', version {version}: {dimensions} dimensions and {items} questions. The form will ask:",
    },
    "admin.versions.with_roadmap": {
        "nb": "Med veikart i {stages} trinn.",
        "en": "With a roadmap of {stages} stages.",
    },
    "admin.versions.yesno": {"nb": "Ja/nei", "en": "Yes/no"},
    "admin.versions.make_current": {
        "nb": "Gjør den gjeldende for nye vurderinger",
        "en": "Make it current for new assessments",
    },
    "admin.versions.install": {"nb": "Lagre versjonen", "en": "Store the version"},
    "admin.versions.installed": {"nb": "Versjon nr. {id} er lagret.", "en": "Version no. {id} is stored."},
    "admin.targets.title": {"nb": "Målnivå for enheter", "en": "Target levels for units"},
    "admin.targets.help": {
        "nb": "Målet settes for enheten, eller for alle enheter under den. Utgangspunktet er enhetens siste resultat.",
        "en": "The target is set for the unit, or for every unit below it. The baseline is the unit's latest result.",
    },
    "admin.targets.unit": {"nb": "Enhet", "en": "Unit"},
    "admin.targets.subtree": {"nb": "Alle enheter under den", "en": "Every unit below it"},
    "admin.targets.dimension": {"nb": "Dimensjon", "en": "Dimension"},
    "admin.targets.overall": {"nb": "Samlet", "en": "Overall"},
    "admin.targets.level": {"nb": "Målnivå (1–5)", "en": "Target level (1–5)"},
    "admin.targets.cycle": {"nb": "Nås innen syklus", "en": "To reach by cycle"},
    "admin.targets.save": {"nb": "Sett mål", "en": "Set target"},
    "admin.targets.saved": {
        "nb": "Målet er satt for {n} enhet(er).",
        "en": "The target is set for {n} unit(s).",
    },
    "admin.units.title": {"nb": "Organisasjonen", "en": "The organisation"},
    "admin.units.tree": {"nb": "Enheter i dag", "en": "Units today"},
    "admin.units.unit": {"nb": "Enhet", "en": "Unit"},
    "admin.units.rename": {"nb": "Gi nytt navn", "en": "Rename"},
    "admin.units.rename_do": {"nb": "Endre navn", "en": "Rename"},
    "admin.units.name_nb": {"nb": "Navn (bokmål)", "en": "Name (Norwegian)"},
    "admin.units.name_en": {"nb": "Navn (engelsk, valgfritt)", "en": "Name (English, optional)"},
    "admin.units.name_missing": {"nb": "Skriv det nye navnet.", "en": "Type the new name."},
    "admin.units.renamed": {
        "nb": "{unit} heter nå {name}. Tidligere resultater følger enheten.",
        "en": "{unit} is now called {name}. Earlier results stay with the unit.",
    },
    "admin.units.move": {"nb": "Flytt", "en": "Move"},
    "admin.units.parent": {"nb": "Under", "en": "Under"},
    "admin.units.from": {"nb": "Fra og med", "en": "From"},
    "admin.units.move_do": {"nb": "Flytt enheten", "en": "Move the unit"},
    "admin.units.moved": {"nb": "{unit} ligger nå under {parent}.", "en": "{unit} is now under {parent}."},
    "admin.units.add": {"nb": "Legg til en enhet", "en": "Add a unit"},
    "admin.units.id": {"nb": "Id", "en": "Id"},
    "admin.units.id_help": {
        "nb": "En fast id som aldri endres, f.eks. «post-7». Bokstaver, sifre, «-», «_» og «.».",
        "en": "A lasting id that never changes, e.g. 'ward-7'. Letters, digits, '-', '_' and '.'.",
    },
    "admin.units.kind": {"nb": "Type", "en": "Kind"},
    "admin.units.add_do": {"nb": "Legg til", "en": "Add"},
    "admin.units.added": {"nb": "Enheten {unit} er lagt til.", "en": "Unit {unit} is added."},
    "admin.log.title": {"nb": "Revisjonslogg", "en": "Audit log"},
    "admin.log.who": {"nb": "Hvem", "en": "Who"},
    "admin.log.action": {"nb": "Handling", "en": "Action"},
    "admin.log.entity": {"nb": "Gjelder", "en": "Concerns"},
    "admin.log.unit": {"nb": "Enhet", "en": "Unit"},
    "admin.log.since": {"nb": "Fra dato", "en": "From date"},
    "admin.log.until": {"nb": "Til og med dato", "en": "Up to date"},
    "admin.log.count": {
        "nb": "Viser {shown} av {total} oppføringer, nyeste først.",
        "en": "Showing {shown} of {total} entries, newest first.",
    },
    "admin.log.column.at": {"nb": "Tid (UTC)", "en": "Time (UTC)"},
    "admin.log.column.actor": {"nb": "Hvem", "en": "Who"},
    "admin.log.column.action": {"nb": "Handling", "en": "Action"},
    "admin.log.column.entity": {"nb": "Gjelder", "en": "Concerns"},
    "admin.log.column.entity_id": {"nb": "Id", "en": "Id"},
    "admin.log.column.before": {"nb": "Før", "en": "Before"},
    "admin.log.column.after": {"nb": "Etter", "en": "After"},
    # Utsending: e-mail to the unit leaders (views/campaign.py)
    "admin.tab.mailing": {"nb": "Utsending", "en": "Mailing"},
    "campaign.title": {"nb": "E-post til enhetslederne", "en": "E-mail to the unit leaders"},
    "campaign.intro": {
        "nb": "Når en syklus åpner, får hver enhetsleder en invitasjon med lenke til egenvurderingen. Før "
        "fristen kan de som ikke har sendt inn, få en påminnelse. Ingen inviteres to ganger til samme "
        "syklus, og ingen får mer enn én e-post om dagen.",
        "en": "When a cycle opens, each unit leader gets an invitation with a link to the self-assessment. "
        "Before the deadline, those who have not submitted can get a reminder. Nobody is invited twice to "
        "the same cycle, and nobody gets more than one e-mail a day.",
    },
    "campaign.not_admin": {
        "nb": "E-post til enhetslederne sendes av administratorer.",
        "en": "E-mail to the unit leaders is sent by administrators.",
    },
    "campaign.off": {
        "nb": "E-post er ikke satt opp, så ingenting kan sendes; listene under viser hvem som ville fått "
        "e-post. Slå det på i `.streamlit/secrets.toml`: `host` og `from` under `[smtp]` (og ved behov "
        "`port`, `security`, `username` og `password`), og appens adresse som `public_url` under `[app]`. "
        "Eller sett `MATURITY_SMTP_HOST`, `MATURITY_SMTP_FROM` og `MATURITY_PUBLIC_URL` der appen startes. "
        "Se «E-mail» i README.",
        "en": "E-mail is not set up, so nothing can be sent; the lists below show who would be mailed. "
        "Turn it on in `.streamlit/secrets.toml`: `host` and `from` under `[smtp]` (and if needed `port`, "
        "`security`, `username` and `password`), and the app's address as `public_url` under `[app]`. Or "
        "set `MATURITY_SMTP_HOST`, `MATURITY_SMTP_FROM` and `MATURITY_PUBLIC_URL` where the app is started. "
        "See 'E-mail' in the README.",
    },
    "campaign.no_public_url": {
        "nb": "E-post er satt opp, men appens offentlige adresse mangler, så e-posten kan ikke lenke til "
        "egenvurderingen. Sett `public_url` under `[app]` i `.streamlit/secrets.toml` (eller "
        "`MATURITY_PUBLIC_URL`), f.eks. https://modenhet.sykehus.no.",
        "en": "E-mail is set up, but the app's public address is missing, so the e-mail cannot link to the "
        "self-assessment. Set `public_url` under `[app]` in `.streamlit/secrets.toml` (or "
        "`MATURITY_PUBLIC_URL`), e.g. https://modenhet.sykehus.no.",
    },
    "campaign.via": {
        "nb": "Sendes gjennom {host} ({security}) fra {sender}. Lenken i e-posten: {link}",
        "en": "Sent through {host} ({security}) from {sender}. The link in the e-mail: {link}",
    },
    "campaign.local_mode": {
        "nb": "Appen kjører i lokal modus uten innlogging. Lederne kan bare bruke lenken når appen er "
        "satt opp med innlogging og nås på adressen over (se «Who can reach the app» i README).",
        "en": "The app runs in local mode without sign-in. The leaders can use the link only once the app "
        "is set up with sign-in and reached at the address above (see 'Who can reach the app' in the README).",
    },
    "campaign.closed": {
        "nb": "Syklusen {cycle} er avsluttet; det sendes ikke e-post om den.",
        "en": "Cycle {cycle} is closed; no e-mail is sent about it.",
    },
    "campaign.deadline_passed": {
        "nb": "Fristen ({date}) er passert, så det sendes ikke flere e-poster. Flytt fristen under Sykluser "
        "for å sende.",
        "en": "The deadline ({date}) has passed, so no more e-mail is sent. Move the deadline under Cycles "
        "to send.",
    },
    "campaign.no_deadline": {
        "nb": "Syklusen har ingen svarfrist. Sett en under Sykluser, så e-posten kan nevne den.",
        "en": "The cycle has no deadline. Set one under Cycles so the e-mail can name it.",
    },
    "campaign.deadline": {
        "nb": "Svarfrist: {date}. Påminnelser kan sendes til og med denne dagen.",
        "en": "Deadline: {date}. Reminders can be sent up to and including that day.",
    },
    "campaign.invitation.title": {"nb": "Invitasjoner", "en": "Invitations"},
    "campaign.invitation.none": {
        "nb": "Ingen har rollen enhetsleder på en enhet som finnes i dag.",
        "en": "Nobody holds the unit leader role on a unit that exists today.",
    },
    "campaign.invitation.counts": {
        "nb": "{due} får invitasjon nå, {done} er invitert før, {no_address} har ingen e-postadresse "
        "(brukernavnet deres er ikke en e-postadresse).",
        "en": "{due} get an invitation now, {done} were invited before, {no_address} have no e-mail "
        "address (their user id is not an e-mail address).",
    },
    "campaign.invitation.units": {"nb": "Enheter", "en": "Units"},
    "campaign.invitation.send.one": {
        "nb": "Send invitasjon til {n} leder",
        "en": "Send the invitation to {n} leader",
    },
    "campaign.invitation.send.other": {
        "nb": "Send invitasjon til {n} ledere",
        "en": "Send the invitation to {n} leaders",
    },
    "campaign.invitation.sent.one": {
        "nb": "Invitasjonen er sendt til {n} leder.",
        "en": "The invitation is sent to {n} leader.",
    },
    "campaign.invitation.sent.other": {
        "nb": "Invitasjonen er sendt til {n} ledere.",
        "en": "The invitation is sent to {n} leaders.",
    },
    "campaign.invitation.nothing": {
        "nb": "Ingen nye invitasjoner å sende: alle med e-postadresse er invitert.",
        "en": "No new invitations to send: everyone with an e-mail address is invited.",
    },
    "campaign.reminder.title": {"nb": "Påminnelser", "en": "Reminders"},
    "campaign.reminder.none": {
        "nb": "Alle enheter har sendt inn. Ingen trenger påminnelse.",
        "en": "Every unit has submitted. Nobody needs a reminder.",
    },
    "campaign.reminder.counts": {
        "nb": "{due} får påminnelse nå, {done} har fått e-post i dag, {no_address} har ingen e-postadresse.",
        "en": "{due} get a reminder now, {done} have had e-mail today, {no_address} have no e-mail address.",
    },
    "campaign.reminder.units": {"nb": "Ikke sendt inn", "en": "Not submitted"},
    "campaign.reminder.send.one": {
        "nb": "Send påminnelse til {n} leder",
        "en": "Send a reminder to {n} leader",
    },
    "campaign.reminder.send.other": {
        "nb": "Send påminnelse til {n} ledere",
        "en": "Send a reminder to {n} leaders",
    },
    "campaign.reminder.sent.one": {
        "nb": "Påminnelsen er sendt til {n} leder.",
        "en": "The reminder is sent to {n} leader.",
    },
    "campaign.reminder.sent.other": {
        "nb": "Påminnelsen er sendt til {n} ledere.",
        "en": "The reminder is sent to {n} leaders.",
    },
    "campaign.reminder.nothing": {
        "nb": "Ingen påminnelser å sende nå: alle som mangler, har fått e-post i dag.",
        "en": "No reminders to send now: everyone still due has had e-mail today.",
    },
    "campaign.failed": {
        "nb": "{sent} {failed} kunne ikke sendes; se «Sendt» under. De prøves igjen neste gang du sender.",
        "en": "{sent} {failed} could not be sent; see 'Sent' below. They are tried again the next time you send.",
    },
    "campaign.more_units": {"nb": "{units} og {n} til", "en": "{units} and {n} more"},
    "campaign.state.no_address": {"nb": "ingen e-postadresse", "en": "no e-mail address"},
    "campaign.state.sending": {"nb": "sendes nå", "en": "being sent"},
    "campaign.state.done_invitation": {"nb": "invitert {at}", "en": "invited {at}"},
    "campaign.state.done_reminder": {"nb": "har fått e-post i dag", "en": "had e-mail today"},
    "campaign.state.due_invitation": {"nb": "inviteres", "en": "to be invited"},
    "campaign.state.due_reminder": {"nb": "får påminnelse", "en": "to be reminded"},
    "campaign.column.leader": {"nb": "Leder", "en": "Leader"},
    "campaign.column.user": {"nb": "E-post / bruker", "en": "E-mail / user"},
    "campaign.column.state": {"nb": "Neste utsending", "en": "Next send"},
    "campaign.column.at": {"nb": "Tidspunkt", "en": "Time"},
    "campaign.column.kind": {"nb": "Type", "en": "Kind"},
    "campaign.column.units": {"nb": "Enheter", "en": "Units"},
    "campaign.column.status": {"nb": "Status", "en": "Status"},
    "campaign.column.error": {"nb": "Feil", "en": "Error"},
    "campaign.kind.invitation": {"nb": "invitasjon", "en": "invitation"},
    "campaign.kind.reminder": {"nb": "påminnelse", "en": "reminder"},
    "campaign.status.sending": {"nb": "sendes", "en": "sending"},
    "campaign.status.sent": {"nb": "sendt", "en": "sent"},
    "campaign.status.failed": {"nb": "feilet", "en": "failed"},
    "campaign.status.interrupted": {
        "nb": "avbrutt (ukjent om den kom fram)",
        "en": "interrupted (unknown whether it arrived)",
    },
    "campaign.preview": {"nb": "Slik ser e-postene ut", "en": "What the e-mails say"},
    "campaign.preview.invitation": {
        "nb": "Invitasjonen, slik {to} får den:",
        "en": "The invitation, as {to} gets it:",
    },
    "campaign.preview.reminder": {
        "nb": "Påminnelsen, slik {to} får den:",
        "en": "The reminder, as {to} gets it:",
    },
    "campaign.record.title": {"nb": "Sendt", "en": "Sent"},
    "campaign.record.none": {
        "nb": "Ingen e-post er sendt om denne syklusen ennå.",
        "en": "No e-mail is sent about this cycle yet.",
    },
    "campaign.home.title.one": {
        "nb": "Påminnelser: {n} enhet har fått påminnelse",
        "en": "Reminders: {n} unit's leader was reminded",
    },
    "campaign.home.title.other": {
        "nb": "Påminnelser: {n} enheter har fått påminnelse",
        "en": "Reminders: the leaders of {n} units were reminded",
    },
    "campaign.home.at": {"nb": "Sist påminnet", "en": "Last reminded"},
    "common.yes": {"nb": "ja", "en": "yes"},
    "admin.tab.users": {"nb": "Brukere", "en": "Users"},
    "admin.users.title": {"nb": "Brukere og roller", "en": "Users and roles"},
    "admin.users.email": {"nb": "E-post", "en": "E-mail"},
    "admin.users.name": {"nb": "Navn", "en": "Name"},
    "admin.users.roles": {"nb": "Roller", "en": "Roles"},
    "admin.users.role": {"nb": "Rolle", "en": "Role"},
    "admin.users.unit": {
        "nb": "Enhet (rollen gjelder også enhetene under)",
        "en": "Unit (the role reaches the units below too)",
    },
    "admin.users.whole": {"nb": "Hele organisasjonen", "en": "The whole organisation"},
    "admin.users.grant": {"nb": "Gi en rolle", "en": "Give a role"},
    "admin.users.grant_help": {
        "nb": "En ny e-postadresse blir en ny bruker. Rollene brukeren har fra før, beholdes.",
        "en": "A new e-mail address becomes a new user. The roles the user already has are kept.",
    },
    "admin.users.grant_do": {"nb": "Gi rollen", "en": "Give the role"},
    "admin.users.granted": {"nb": "{user} er nå {role}.", "en": "{user} is now {role}."},
    "admin.users.user": {"nb": "Bruker", "en": "User"},
    "admin.users.revoke": {"nb": "Ta fra en rolle", "en": "Take a role away"},
    "admin.users.revoke_do": {"nb": "Ta fra rollen", "en": "Take the role away"},
    "admin.users.revoked": {"nb": "Rollen er tatt fra {user}.", "en": "The role is taken from {user}."},
    "admin.users.remove": {"nb": "Fjern brukeren", "en": "Remove the user"},
    "admin.users.remove_sure": {
        "nb": "Ja, fjern {user} og alle rollene",
        "en": "Yes, remove {user} and every role",
    },
    "admin.users.remove_do": {"nb": "Fjern", "en": "Remove"},
    "admin.users.remove_confirm": {
        "nb": "Kryss av for at du vil fjerne brukeren.",
        "en": "Tick the box to confirm the removal.",
    },
    "admin.users.removed": {
        "nb": "{user} er fjernet. Det brukeren har gjort, står fortsatt i loggen.",
        "en": "{user} is removed. What the user did stays in the log.",
    },
    "admin.users.import": {"nb": "Importer brukere", "en": "Import users"},
    "admin.users.import_help": {
        "nb": "CSV med kolonnene e-post, navn, rolle, enhet (én rolle per rad), eller access.yaml. Rollene til brukerne i filen erstattes.",
        "en": "A CSV with the columns e-mail, name, role, unit (one role per row), or access.yaml. The roles of the users in the file are replaced.",
    },
    "admin.users.file": {"nb": "Brukerfil (CSV eller YAML)", "en": "Users file (CSV or YAML)"},
    "admin.users.import_preview": {
        "nb": "{users} brukere i filen: {new} nye, {changed} finnes fra før. Ingenting er lagret ennå.",
        "en": "{users} users in the file: {new} new, {changed} known already. Nothing is stored yet.",
    },
    "admin.users.import_do": {"nb": "Importer brukerne", "en": "Import the users"},
    "admin.users.imported": {"nb": "{n} brukere er importert.", "en": "{n} users are imported."},
    "admin.log.all": {"nb": "Alle", "en": "All"},
    "admin.cycles.current": {"nb": "gjeldende versjon", "en": "the current version"},
    "admin.units.end": {"nb": "Avslutt eller slå sammen", "en": "Close or merge"},
    "admin.units.end_help": {
        "nb": "Enheten forsvinner fra treet fra datoen. Tidligere vurderinger og resultater beholdes med enhetens egen id.",
        "en": "The unit leaves the tree from the date. Earlier assessments and results keep the unit's own id.",
    },
    "admin.units.end_how": {"nb": "Hvordan", "en": "How"},
    "admin.units.end_close": {"nb": "avslutt", "en": "close"},
    "admin.units.end_merge": {"nb": "slå sammen med", "en": "merge into"},
    "admin.units.into": {"nb": "Slås sammen med (bare ved sammenslåing)", "en": "Merged into (when merging)"},
    "admin.units.end_do": {"nb": "Avslutt enheten", "en": "End the unit"},
    "admin.units.ended_close": {"nb": "{unit} er avsluttet.", "en": "{unit} is closed."},
    "admin.units.ended_merge": {"nb": "{unit} er slått sammen.", "en": "{unit} is merged."},
    "admin.tab.data": {"nb": "Import og sikkerhetskopi", "en": "Import and backup"},
    "admin.data.import": {"nb": "Importer svar", "en": "Import answers"},
    "admin.data.import_help": {
        "nb": "En CSV med kolonnene unit, cycle, respondent, item, answer (og comment, role), som beskrevet i README. Hele filen kontrolleres før noe lagres; en respondent som finnes fra før, erstattes.",
        "en": "A CSV with the columns unit, cycle, respondent, item, answer (and comment, role), as the README describes. The whole file is checked before anything is stored; a respondent already there is replaced.",
    },
    "admin.data.file": {"nb": "Svarfil (CSV)", "en": "Answers file (CSV)"},
    "admin.data.preview": {
        "nb": "{answers} svar for {units} enheter: {created} nye vurderinger, {replaced} erstattes. Ingenting er lagret ennå.",
        "en": "{answers} answers for {units} units: {created} new assessments, {replaced} replaced. Nothing is stored yet.",
    },
    "admin.data.unit": {"nb": "Enhet", "en": "Unit"},
    "admin.data.respondent": {"nb": "Respondent som erstattes", "en": "Respondent replaced"},
    "admin.data.import_do": {"nb": "Importer svarene", "en": "Import the answers"},
    "admin.data.imported": {
        "nb": "{answers} svar for {units} enheter er importert.",
        "en": "{answers} answers for {units} units are imported.",
    },
    "admin.data.backup": {"nb": "Sikkerhetskopi", "en": "Backup"},
    "admin.data.backup_help": {
        "nb": "Hele databasen i én fil. Den gjenopprettes i en ny, tom database med python -m storage restore FILE.",
        "en": "The whole database in one file. It is restored into a new, empty database with python -m storage restore FILE.",
    },
    "admin.data.backup_do": {"nb": "Last ned sikkerhetskopi", "en": "Download backup"},
}
