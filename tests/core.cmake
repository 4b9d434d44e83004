# Views, files, lifetime (issue: views and release rules).
