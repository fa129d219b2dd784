"""Stage 3: the leaflet as HTML, from templates in a sandbox."""
