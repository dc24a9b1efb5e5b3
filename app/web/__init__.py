"""The HTML side: the published pages visitors and recruiters see (public.py, proof_files.py,
rendering/), the web app's pages (app_pages.py), and the headers every page gets
(security_headers.py)."""
