import argparse

from hooks import run_hook
from storage import Store


def main():
    parser = argparse.ArgumentParser(description="Search your notes")
    parser.add_argument("term")
    parser.add_argument("--notify", default="")
    args = parser.parse_args()
    store = Store()
    options = {"message": args.notify}
    # Print the titles of matching notes, then run the notification hook.
    for (title,) in store.search(args.term):
        print(title)
    run_hook(**options)


if __name__ == "__main__":
    main()
