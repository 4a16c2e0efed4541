"""SIPp-driven benchmarks of Cordboard's SIP engine (run by hand with `make bench`, never by `make test`)."""
