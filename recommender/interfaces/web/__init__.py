"""`ftrec serve`: the questionnaire, the report and the decision log as a local web page, and a JSON API.

Needs the `web` extra (`pip install 'ftrec[web]'`): FastAPI, Jinja2 and uvicorn. Everything the page
loads is served from this package (templates/, static/): no CDN, no external fonts or scripts.
"""
