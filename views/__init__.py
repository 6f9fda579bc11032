"""Streamlit pages: thin views that call the services in `storage` and draw."""
