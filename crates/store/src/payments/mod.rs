//! Payments: the tender types a company accepts. (Shift cash management lives with the
//! register in `orders::shifts`; mobile payments come with their own provider module.)

pub mod tender_types;
