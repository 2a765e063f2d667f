//! Appending to the histories a hook grows (juju-log records, status history), capped on each
//! append so one hook that loops `juju-log` or `status-set` stays bounded too.

use super::Session;
use crate::state::{LOG_CLIPPED, LogRecord, MAX_LOG_RECORDS, MAX_STATUS_HISTORY, StatusRecord, cap_on_append};

impl Session {
    /// Append a `juju-log` record. Past [`MAX_LOG_RECORDS`], the oldest are dropped, earlier
    /// hooks' first; when this hook's own had to go, a WARNING record says so at the front.
    pub(crate) fn push_log(&mut self, record: LogRecord) {
        self.state.juju_log.push(record);
        let dropped = cap_on_append(&mut self.state.juju_log, MAX_LOG_RECORDS);
        if dropped == 0 {
            return;
        }
        let earlier = dropped.min(self.marks.logs);
        self.marks.logs -= earlier;
        if dropped > earlier {
            // The cap drops a quarter at once, so this record fits under it.
            self.state.juju_log.insert(0, LogRecord { level: "WARNING".to_owned(), message: LOG_CLIPPED.to_owned() });
        }
    }

    /// Append the status a `status-set` replaced to the unit's (or, with `app`, the
    /// application's) history, capped at [`MAX_STATUS_HISTORY`].
    pub(crate) fn push_status_history(&mut self, app: bool, old: StatusRecord) {
        let (history, mark) = if app {
            (&mut self.state.app_status_history, &mut self.marks.app_statuses)
        } else {
            (&mut self.state.unit_status_history, &mut self.marks.unit_statuses)
        };
        history.push(old);
        let dropped = cap_on_append(history, MAX_STATUS_HISTORY);
        *mark -= dropped.min(*mark);
    }
}
