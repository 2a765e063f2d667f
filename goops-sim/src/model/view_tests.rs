//! Tests of the unit's view and the commit of a hook's writes.
