"""The virtual operating system a guest sees: descriptors, rights, paths, poll, clocks, exit.

Plain Python with no engine: tests drive it directly.
"""
