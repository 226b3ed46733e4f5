"""The order records are published in at bulk upload (an organization first, then what refers to it).

Its own module so that building the ``ctdl`` command line (which lists the types) does not load the
bulk workflow."""

TYPE_ORDER = ("organization", "competencyframework", "costmanifest", "credential", "assessment", "learningopportunity",
              "learningprogram", "course")
