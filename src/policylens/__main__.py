"""`python -m policylens`: the same command line as the `policylens` script."""
from .cli import main

if __name__ == "__main__":
    main()
