// Authorizer Lambda (Cruddur "CruddurApiGatewayLambdaAuthorizer"), as the seed's (system.md "The seed's functions"):
// aws-jwt-verify's CognitoJwtVerifier, created at module load with the pool id, token use and client id only. It fetches
// the pool's JWKS itself from https://cognito-idp.<region>.amazonaws.com/<pool>/.well-known/jwks.json (on the harness,
// that URL reaches the engine: README "AWS hostnames inside Lambda"). REQUEST authorizer, payload 2.0, simple responses.
'use strict';
const { CognitoJwtVerifier } = require('aws-jwt-verify');

const jwtVerifier = CognitoJwtVerifier.create({
  userPoolId: process.env.USER_POOL_ID, // unset: TypeError at init, every call 500 (bug 3)
  tokenUse: 'access',
  clientId: process.env.CLIENT_ID,
});

// The students' fix: the header is `Bearer <jwt>`; the verifier wants the bare token (bug 1).
function bareToken(headerValue) {
  return headerValue && headerValue.startsWith('Bearer ') ? headerValue.slice('Bearer '.length) : headerValue;
}

async function handler(event) {
  const token = module.exports.bareToken(event.headers.authorization);
  try {
    const payload = await jwtVerifier.verify(token);
    console.log(`authorized sub=${payload.sub}`);
    return { isAuthorized: true, context: { sub: payload.sub } };
  } catch (err) {
    console.error('Access forbidden:', err);
    return { isAuthorized: false };
  }
}

module.exports = { handler, bareToken };
