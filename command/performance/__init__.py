"""How the units perform: figures aggregated in SQL (kpis), the city office's reports (exports)
and the page that shows them."""
