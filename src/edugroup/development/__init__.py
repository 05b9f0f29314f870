"""Teacher development across its domains (training, certificates, mentoring, experts, studios): the
/development overview, each kind's list, form and import pages, and each kind's files."""
