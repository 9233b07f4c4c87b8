"""Physical storage of user tables: one SQL table per user table, one typed column per
field, a junction table per link; the DDL that changes them and the query compiler that
turns view filters and sorts into SQL."""
