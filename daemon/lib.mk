# daemon/: the daemon-side library and the reference daemon (filled in by the library work).
