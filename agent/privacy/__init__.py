"""What leaves the house: data scopes, exposed devices and their enforcement.

Sits below the router: it imports only config and errors, so the router, the skills and the
context tools can all tag and filter with it.
"""
