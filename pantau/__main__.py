"""``python -m pantau`` runs the command line."""

from pantau.cli import app

if __name__ == "__main__":  # worker processes re-import this module; only the parent runs the app
    app()
