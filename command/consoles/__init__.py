"""Server-rendered desks for staff: the dispatch desk (派单, /dispatch/) and the unit console
(单位工作台, /units/)."""
