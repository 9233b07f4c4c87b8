"""End-to-end tests: the built web app in a real headless Chromium against `tablekit serve`."""
