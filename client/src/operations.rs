//! Every operation of the HTTP API, as the client calls it. The table is
//! what keeps the client complete: a test reads the served
//! `/openapi.json` and fails when an operation there is missing here, and
//! the client suite fails when an operation here was never called.

/// One operation: a method on a path template.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Operation {
    /// `GET`, `POST`, `PUT`, `PATCH` or `DELETE`.
    pub method: &'static str,
    /// The path template, as the OpenAPI document spells it.
    pub path: &'static str,
    /// The client method that calls it.
    pub client_method: &'static str,
}

impl Operation {
    /// Whether a call may change something (and so carries an
    /// `Idempotency-Key`).
    pub fn writes(&self) -> bool {
        self.method != "GET"
    }
}

macro_rules! operations {
    ($($konst:ident = $method:ident $path:literal => $client_method:ident;)*) => {
        $(
            #[doc = concat!("`", stringify!($method), " ", $path, "` (`Client::", stringify!($client_method), "`).")]
            pub const $konst: Operation = Operation {
                method: stringify!($method),
                path: $path,
                client_method: stringify!($client_method),
            };
        )*
        /// Every operation the client calls.
        pub const OPERATIONS: &[Operation] = &[$($konst),*];
    };
}

operations! {
    HEALTH = GET "/health" => health;
    OPENAPI = GET "/openapi.json" => openapi_document;

    GET_ME = GET "/me" => my_profile;
    UPDATE_ME = PATCH "/me" => update_my_profile;
    ERASE_ME = DELETE "/me" => erase_my_account;
    EXPORT = GET "/me/export" => export_my_data;
    MY_COMMUNITIES = GET "/me/communities" => my_communities;
    PROFILE = GET "/users/{user_id}" => profile;

    DIRECTORY = GET "/communities" => directory;
    CREATE_COMMUNITY = POST "/communities" => create_community;
    GET_COMMUNITY = GET "/communities/{id}" => get_community;
    GET_BY_SLUG = GET "/communities/by-slug/{slug}" => get_community_by_slug;
    UPDATE_COMMUNITY = PATCH "/communities/{id}" => update_community;
    ACTIVITY = GET "/communities/{id}/activity" => list_activity;

    JOIN = POST "/communities/{id}/join" => join;
    LEAVE = POST "/communities/{id}/leave" => leave;
    LIST_MEMBERS = GET "/communities/{id}/members" => list_members;
    GET_MEMBER = GET "/communities/{id}/members/{user_id}" => get_member;
    REMOVE_MEMBER = DELETE "/communities/{id}/members/{user_id}" => remove_member;
    CHANGE_ROLE = PUT "/communities/{id}/members/{user_id}/role" => change_role;
    TRANSFER = POST "/communities/{id}/transfer" => transfer_ownership;
    LIST_BANS = GET "/communities/{id}/bans" => list_banned;
    BAN = POST "/communities/{id}/bans" => ban_member;
    UNBAN = DELETE "/communities/{id}/bans/{user_id}" => unban_member;

    MY_LEVEL = GET "/communities/{id}/me/level" => my_level;
    AT_LEVEL = GET "/communities/{id}/levels/{level}/members" => list_members_at_level;

    ASK = POST "/communities/{id}/join-requests" => request_to_join;
    LIST_REQUESTS = GET "/communities/{id}/join-requests" => list_join_requests;
    MY_REQUEST = GET "/communities/{id}/join-requests/mine" => my_join_request;
    WITHDRAW_REQUEST = DELETE "/communities/{id}/join-requests/mine" => withdraw_join_request;
    APPROVE = POST "/communities/{id}/join-requests/{user_id}/approve" => approve_join_request;
    DENY = POST "/communities/{id}/join-requests/{user_id}/deny" => deny_join_request;

    INVITE = POST "/communities/{id}/invitations" => create_invitation;
    LIST_INVITATIONS = GET "/communities/{id}/invitations" => list_invitations;
    REVOKE_INVITATION = DELETE "/communities/{id}/invitations/{invitation_id}" => revoke_invitation;
    PREVIEW_INVITATION = POST "/invitations/preview" => preview_invitation;
    ACCEPT_INVITATION = POST "/invitations/accept" => accept_invitation;

    LIST_SPACES = GET "/communities/{id}/spaces" => list_spaces;
    CREATE_SPACE = POST "/communities/{id}/spaces" => create_space;
    GET_SPACE = GET "/spaces/{id}" => get_space;
    UPDATE_SPACE = PATCH "/spaces/{id}" => update_space;
    ARCHIVE_SPACE = PUT "/spaces/{id}/archived" => set_space_archived;
    UNARCHIVE_SPACE = DELETE "/spaces/{id}/archived" => set_space_archived;
    LIST_GRANTS = GET "/spaces/{id}/grants" => list_space_grants;
    GRANT = PUT "/spaces/{id}/grants/{user_id}" => grant_space;
    REVOKE_GRANT = DELETE "/spaces/{id}/grants/{user_id}" => revoke_space_grant;

    LIST_THREADS = GET "/spaces/{id}/threads" => list_threads;
    START_THREAD = POST "/spaces/{id}/threads" => start_thread;
    PINNED = GET "/spaces/{id}/threads/pinned" => pinned_threads;
    GET_THREAD = GET "/threads/{id}" => get_thread;
    EDIT_THREAD = PATCH "/threads/{id}" => edit_thread;
    DELETE_THREAD = DELETE "/threads/{id}" => delete_thread;
    PIN = PUT "/threads/{id}/pin" => set_thread_pinned;
    UNPIN = DELETE "/threads/{id}/pin" => set_thread_pinned;
    LOCK = PUT "/threads/{id}/lock" => set_thread_locked;
    UNLOCK = DELETE "/threads/{id}/lock" => set_thread_locked;
    ACCEPT_ANSWER = PUT "/threads/{id}/answer" => accept_answer;
    WITHDRAW_ANSWER = DELETE "/threads/{id}/answer" => accept_answer;
    LIST_POSTS = GET "/threads/{id}/posts" => list_posts;
    ADD_POST = POST "/threads/{id}/posts" => add_post;
    GET_POST = GET "/posts/{id}" => get_post;
    EDIT_POST = PATCH "/posts/{id}" => edit_post;
    DELETE_POST = DELETE "/posts/{id}" => delete_post;
    REACT = PUT "/posts/{id}/reactions/{kind}" => react;
    UNREACT = DELETE "/posts/{id}/reactions/{kind}" => unreact;
    MY_REACTIONS = GET "/posts/{id}/reactions" => my_reactions;

    LIST_DOCUMENTS = GET "/spaces/{id}/documents" => list_documents;
    UPLOAD_DOCUMENT = POST "/spaces/{id}/documents" => upload_document;
    BEGIN_UPLOAD = POST "/spaces/{id}/uploads" => begin_upload;
    RECEIVE_UPLOAD = PUT "/uploads/{token}" => upload;
    FILE_DOCUMENT = POST "/spaces/{id}/documents/uploaded" => add_uploaded_document;
    FILE_VERSION = POST "/documents/{id}/versions/uploaded" => add_uploaded_version;
    GET_DOCUMENT = GET "/documents/{id}" => get_document;
    UPDATE_DOCUMENT = PATCH "/documents/{id}" => update_document;
    DELETE_DOCUMENT = DELETE "/documents/{id}" => delete_document;
    LIST_VERSIONS = GET "/documents/{id}/versions" => list_document_versions;
    ADD_VERSION = POST "/documents/{id}/versions" => add_document_version;
    CONTENT = GET "/documents/{id}/content" => download_document;
    DOWNLOAD_LINK = GET "/documents/{id}/download" => document_download_link;

    SCHEDULE = POST "/spaces/{id}/events" => schedule_event;
    LIST_EVENTS = GET "/communities/{id}/events" => list_events;
    AGENDA = GET "/communities/{id}/agenda" => agenda;
    CALENDAR = GET "/communities/{id}/calendar.ics" => calendar_feed;
    RENEW_CALENDAR_FEED = POST "/me/calendar-feed" => renew_calendar_feed;
    STOP_CALENDAR_FEED = DELETE "/me/calendar-feed" => stop_calendar_feed;
    CALENDAR_BY_TOKEN = GET "/calendar/{token}" => calendar_feed_by_token;
    GET_EVENT = GET "/events/{id}" => get_event;
    UPDATE_EVENT = PUT "/events/{id}" => update_event;
    OCCURRENCES = GET "/events/{id}/occurrences" => event_occurrences;
    CANCEL = PUT "/events/{id}/occurrences/{occurrence}/cancelled" => set_occurrence_cancelled;
    RESTORE = DELETE "/events/{id}/occurrences/{occurrence}/cancelled" => set_occurrence_cancelled;
    RSVP = PUT "/events/{id}/occurrences/{occurrence}/rsvp" => rsvp;
    LIST_RSVPS = GET "/events/{id}/occurrences/{occurrence}/rsvps" => list_rsvps;
    TALLY = GET "/events/{id}/occurrences/{occurrence}/tally" => rsvp_tally;
    LIST_ATTENDANCE = GET "/events/{id}/occurrences/{occurrence}/attendance" => list_attendance;
    RECORD_ATTENDANCE = PUT "/events/{id}/occurrences/{occurrence}/attendance/{user_id}" => record_attendance;

    LIST_POLLS = GET "/spaces/{id}/polls" => list_polls;
    CREATE_POLL = POST "/spaces/{id}/polls" => create_poll;
    GET_POLL = GET "/polls/{id}" => get_poll;
    VOTE = PUT "/polls/{id}/ballot" => vote;
    CLOSE_POLL = POST "/polls/{id}/close" => close_poll;

    SEARCH = GET "/communities/{id}/search" => search;
    SEARCH_MINE = GET "/me/search" => search_mine;

    REPORT = POST "/communities/{id}/reports" => report_content;
    LIST_REPORTS = GET "/communities/{id}/reports" => list_reports;
    MODERATE = POST "/communities/{id}/moderation-log" => moderate;
    MODERATION_LOG = GET "/communities/{id}/moderation-log" => moderation_log;

    DIGEST_PREFERENCE = GET "/me/digest-preference" => digest_preference;
    SET_DIGEST_PREFERENCE = PUT "/me/digest-preference" => set_digest_preference;
    PREVIEW_DIGEST = GET "/me/digest" => preview_digest;
    OUTBOX = GET "/me/outbox" => list_outbox;

    NOTIFICATIONS = GET "/me/notifications" => notifications;
    MARK_NOTIFICATION_READ = POST "/me/notifications/{id}/read" => mark_notification_read;
    MARK_ALL_NOTIFICATIONS_READ = POST "/me/notifications/read" => mark_all_notifications_read;
    NOTIFICATION_PREFERENCES = GET "/me/notification-preferences" => notification_preferences;
    SET_NOTIFICATION_PREFERENCES = PUT "/me/notification-preferences" => set_notification_preferences;
    UNSUBSCRIBE = POST "/unsubscribe/{token}" => unsubscribe;
    UNSUBSCRIBE_PAGE = GET "/unsubscribe/{token}" => unsubscribe_page;

    VALUE_STORIES = GET "/communities/{id}/value-stories" => list_value_stories;
    TELL_VALUE_STORY = POST "/communities/{id}/value-stories" => tell_value_story;
    HEALTH_REPORT = GET "/communities/{id}/health" => community_health;
    CPD = GET "/me/cpd" => cpd_evidence;
    CPD_CSV = GET "/me/cpd.csv" => cpd_evidence_csv;
}

/// Bytes sent to storage with a presigned request (not an API operation:
/// what observers see for an upload that bypasses the API).
pub const STORAGE_UPLOAD: Operation = Operation {
    method: "PUT",
    path: "(storage)",
    client_method: "upload",
};

/// Bytes fetched from storage with a presigned request.
pub const STORAGE_DOWNLOAD: Operation = Operation {
    method: "GET",
    path: "(storage)",
    client_method: "download_document",
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_method_and_path_appears_once() {
        let mut seen = std::collections::BTreeSet::new();
        for op in OPERATIONS {
            assert!(seen.insert((op.method, op.path)), "{op:?} twice");
        }
        assert_eq!(seen.len(), OPERATIONS.len());
    }
}
