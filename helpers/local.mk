# helpers/: sysinfo, its unit tests, fixtures and fuzz targets (filled in by the sysinfo work).
