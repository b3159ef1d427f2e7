"""``python -m negsim`` runs the ``negsim`` command."""

from negsim.cli import main

if __name__ == "__main__":
    main()
