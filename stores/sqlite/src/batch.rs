//! Several records read in one call ([`BatchStore`](copkit_core::store::BatchStore)):
//! each wanted key looked up inside one read transaction, so the records
//! are read together.

use copkit_core::store::{Record, Records, StoreError, Wanted};
use rusqlite::Connection;

use crate::families::{
    activity, communities, discussions, documents, events, invitations, notifications, polls,
    spaces,
};

/// The records found for `wanted` (missing ones are left out).
pub(crate) fn get_records(conn: &Connection, wanted: &[Wanted]) -> Result<Records, StoreError> {
    let mut found = Vec::new();
    for w in wanted {
        let record = match w {
            Wanted::Community(id) => communities::get_community(conn, id)?.map(Record::Community),
            Wanted::Space(id) => spaces::get_space(conn, id)?.map(Record::Space),
            Wanted::Grant(space, user) => spaces::get_grant(conn, space, user)?.map(Record::Grant),
            Wanted::Thread(id) => discussions::get_thread(conn, id)?.map(Record::Thread),
            Wanted::Post(id) => discussions::get_post(conn, id)?.map(Record::Post),
            Wanted::Poll(id) => polls::get_poll(conn, id)?.map(Record::Poll),
            Wanted::Ballot(poll, user) => polls::get_ballot(conn, poll, user)?.map(Record::Ballot),
            Wanted::Reaction(post, user, kind) => {
                discussions::has_reaction(conn, post, user, *kind)?
                    .then(|| Record::Reaction(*post, user.clone(), *kind))
            }
            Wanted::Event(id) => events::get_event(conn, id)?.map(Record::Event),
            Wanted::Rsvp(event, occurrence, user) => {
                events::get_rsvp(conn, event, occurrence, user)?.map(Record::Rsvp)
            }
            Wanted::RsvpTally(event, occurrence) => {
                events::find_rsvp_tally(conn, event, occurrence)?.map(Record::RsvpTally)
            }
            Wanted::Document(id) => documents::get_document(conn, id)?.map(Record::Document),
            Wanted::DocumentVersion(id, number) => {
                documents::get_document_version(conn, id, *number)?.map(Record::DocumentVersion)
            }
            Wanted::Membership(community, user) => {
                communities::get_membership(conn, community, user)?.map(Record::Membership)
            }
            Wanted::Attendance(event, occurrence, user) => {
                events::get_attendance(conn, event, occurrence, user)?.map(Record::Attendance)
            }
            Wanted::Fanout(activity) => {
                notifications::get_fanout(conn, activity)?.map(Record::Fanout)
            }
            Wanted::Participation(community, user) => {
                activity::get_participation(conn, community, user)?.map(Record::Participation)
            }
            Wanted::JoinRequest(community, user) => {
                invitations::get_join_request(conn, community, user)?.map(Record::JoinRequest)
            }
        };
        found.extend(record);
    }
    Ok(Records(found))
}
