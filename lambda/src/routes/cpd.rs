//! The caller's CPD evidence for an appraisal portfolio, as JSON or CSV.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use copkit_core::service::CpdEvidence;

use super::api_router::{ApiRouter, routes};
use crate::auth::Caller;
use crate::extract::{ApiQuery, Days};
use crate::problem::ApiResult;
use crate::state::AppState;

pub(super) fn routes() -> ApiRouter {
    ApiRouter::new()
        .routes(routes!(evidence))
        .routes(routes!(evidence_csv))
}

/// Your CPD evidence for a period: events attended with minutes,
/// contributions, and value stories with their text.
#[utoipa::path(get, path = "/me/cpd", tag = "cpd", params(Days),
    responses((status = 200, description = "Your evidence", body = CpdEvidence)))]
async fn evidence(
    State(s): State<AppState>,
    Caller(me): Caller,
    ApiQuery(p): ApiQuery<Days>,
) -> ApiResult<Json<CpdEvidence>> {
    let p = p.checked()?;
    Ok(Json(s.copkit.cpd_evidence(&me, p.from, p.to).await?))
}

/// The same evidence as CSV, columns `date, kind, community, activity,
/// minutes, hours, reflection, reference` (see the crate docs of
/// `copkit_core::service::cpd`).
#[utoipa::path(get, path = "/me/cpd.csv", tag = "cpd", params(Days),
    responses((status = 200, description = "Your evidence as CSV", content_type = "text/csv", body = String)))]
async fn evidence_csv(
    State(s): State<AppState>,
    Caller(me): Caller,
    ApiQuery(p): ApiQuery<Days>,
) -> ApiResult<Response> {
    let p = p.checked()?;
    let csv = s.copkit.cpd_evidence(&me, p.from, p.to).await?.to_csv()?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/csv; charset=utf-8"),
            ),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_static("attachment; filename=\"copkit-cpd.csv\""),
            ),
        ],
        csv,
    )
        .into_response())
}
