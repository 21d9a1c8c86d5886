"""Supervision (督办): the scanner that fires deadline alerts from what the database stores,
the alerts' hand-off to SMS and the desks, and supervision notices. It sits beside the
lifecycle and changes incidents only through it."""
