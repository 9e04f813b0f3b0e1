package conference

// TravelModel describes how people move between and inside venues. It is
// data only; package travel compiles it into tables and answers queries.
// (Filled in by the travel issue; an empty model means "use the fallback".)
type TravelModel struct{}
