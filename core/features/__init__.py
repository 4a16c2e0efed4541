"""Feature codes dialled from any phone (FC-15..17): the grammar, the registry in which the core and
every plugin register their codes, the admin's own digits for each code, and the engine that runs a
dialled code on a channel with its confirmation or error announcement."""
