//! Who is calling. In AWS, API Gateway's JWT authorizer has already checked
//! the token and puts its claims in the request context; locally, the
//! server checks an HS256 bearer token itself. Either way a handler gets a
//! [`Caller`] or the request is answered 401.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use axum::extract::{FromRef, FromRequestParts};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use copkit_core::{Actor, UserId};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use crate::problem::ApiError;

/// How the identity of a request is established.
#[derive(Clone)]
pub enum Authenticator {
    /// Claims from the API Gateway JWT authorizer in the Lambda request
    /// context (HTTP API v2 `authorizer.jwt.claims`, or REST v1
    /// `authorizer.jwt.claims` / `authorizer.claims`).
    ApiGateway,
    /// A bearer JWT signed with HS256 and this secret.
    Hs256 {
        /// Verifies signatures.
        decoding: DecodingKey,
        /// Signs demo tokens.
        encoding: EncodingKey,
    },
}

impl std::fmt::Debug for Authenticator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Authenticator::ApiGateway => f.write_str("ApiGateway"),
            Authenticator::Hs256 { .. } => f.write_str("Hs256(..)"),
        }
    }
}

/// The claims copkit reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// The subject: the user's id.
    pub sub: String,
    /// Their name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Their (verified) email.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Expiry, seconds since the epoch (honoured when present).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exp: Option<u64>,
}

impl Claims {
    fn into_actor(self) -> Result<Actor, ApiError> {
        let user = UserId::new(self.sub).map_err(|_| ApiError::unauthorized())?;
        let mut actor = Actor::new(user);
        actor.display_name = self.name.filter(|n| !n.is_empty());
        actor.email = self.email.filter(|e| !e.is_empty());
        Ok(actor)
    }
}

impl Authenticator {
    /// Local bearer tokens signed with `secret`.
    pub fn hs256(secret: &[u8]) -> Self {
        Authenticator::Hs256 {
            decoding: DecodingKey::from_secret(secret),
            encoding: EncodingKey::from_secret(secret),
        }
    }

    /// Signs a token for `claims` (local server and tests only).
    pub fn issue(&self, claims: &Claims) -> Option<String> {
        match self {
            Authenticator::Hs256 { encoding, .. } => {
                jsonwebtoken::encode(&Header::new(Algorithm::HS256), claims, encoding).ok()
            }
            Authenticator::ApiGateway => None,
        }
    }

    /// The caller of a request, or 401.
    pub fn authenticate(&self, parts: &Parts) -> Result<Actor, ApiError> {
        match self {
            Authenticator::ApiGateway => gateway_claims(parts)
                .ok_or_else(ApiError::unauthorized)?
                .into_actor(),
            Authenticator::Hs256 { decoding, .. } => {
                let header = parts
                    .headers
                    .get(AUTHORIZATION)
                    .and_then(|v| v.to_str().ok())
                    .ok_or_else(ApiError::unauthorized)?;
                let token = header
                    .strip_prefix("Bearer ")
                    .or_else(|| header.strip_prefix("bearer "))
                    .ok_or_else(ApiError::unauthorized)?
                    .trim();
                let mut validation = Validation::new(Algorithm::HS256);
                validation.required_spec_claims = HashSet::from(["sub".to_owned()]);
                validation.validate_exp = true;
                validation.leeway = 30;
                let data = jsonwebtoken::decode::<Claims>(token, decoding, &validation)
                    .map_err(|_| ApiError::unauthorized())?;
                data.claims.into_actor()
            }
        }
    }
}

fn claim_string(value: &serde_json::Value) -> Option<String> {
    match value {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn claims_from_strings(map: &HashMap<String, String>) -> Option<Claims> {
    Some(Claims {
        sub: map.get("sub")?.clone(),
        name: map.get("name").cloned(),
        email: map.get("email").cloned(),
        exp: None,
    })
}

fn claims_from_values(map: &serde_json::Map<String, serde_json::Value>) -> Option<Claims> {
    Some(Claims {
        sub: claim_string(map.get("sub")?)?,
        name: map.get("name").and_then(claim_string),
        email: map.get("email").and_then(claim_string),
        exp: None,
    })
}

/// Claims the API Gateway authorizer put in the Lambda request context.
fn gateway_claims(parts: &Parts) -> Option<Claims> {
    use lambda_http::request::RequestContext;
    match parts.extensions.get::<RequestContext>()? {
        RequestContext::ApiGatewayV2(ctx) => {
            let jwt = ctx.authorizer.as_ref()?.jwt.as_ref()?;
            claims_from_strings(&jwt.claims)
        }
        RequestContext::ApiGatewayV1(ctx) => {
            if let Some(jwt) = ctx.authorizer.jwt.as_ref()
                && let Some(c) = claims_from_strings(&jwt.claims)
            {
                return Some(c);
            }
            // Cognito user-pool authorizers on REST APIs put claims here.
            match ctx.authorizer.fields.get("claims")? {
                serde_json::Value::Object(map) => claims_from_values(map),
                _ => None,
            }
        }
        _ => None,
    }
}

/// The authenticated caller of a request.
#[derive(Debug, Clone)]
pub struct Caller(pub Actor);

impl<S> FromRequestParts<S> for Caller
where
    S: Send + Sync,
    Arc<Authenticator>: FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Arc::<Authenticator>::from_ref(state)
            .authenticate(parts)
            .map(Caller)
    }
}
