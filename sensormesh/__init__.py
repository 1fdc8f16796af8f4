"""sensormesh: the contract and plumbing shared by the publisher and the bridge."""

from importlib.metadata import PackageNotFoundError, version


def package_version() -> str:
    try:
        return version("sensormesh")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "0+unknown"
