-- A seat commit is one pipelined round trip: BEGIN, every statement,
-- COMMIT (seatwrite.go). Its guards therefore cannot be checked by the
-- client between the statements and the COMMIT; a guard that trips calls
-- this function, whose error aborts the whole transaction. SQLSTATE VHG01;
-- the detail is JSON naming the rule (capacity, overlap, conference), the
-- session and, for an overlap, the attendee and the other session.
CREATE FUNCTION seat_guard_fail(rule text, session text, attendee text, other text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION 'seat guard: % (session %)', rule, session
		USING ERRCODE = 'VHG01',
		      DETAIL = json_build_object('rule', rule, 'session', session, 'attendee', attendee, 'other', other)::text;
END
$$;
