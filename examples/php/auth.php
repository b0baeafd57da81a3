<?php
// A PHP service with the verification mistakes jwt-lsp reports.

use Firebase\JWT\JWT;
use Firebase\JWT\Key;
use Lcobucci\JWT\Configuration;
use Lcobucci\JWT\Validation\Constraint\SignedWith;

JWT::$leeway = 7200; // verify-large-leeway

function currentUser(): object
{
    // verify-bearer-prefix, and hardcoded-secret (error: a published default)
    return JWT::decode($_SERVER['HTTP_AUTHORIZATION'], new Key('your-256-bit-secret', 'HS256'));
}

function legacy(string $jwt, string $publicKey): object
{
    // verify-mixed-algorithms (php-jwt 5: the public key doubles as an HMAC secret)
    return JWT::decode($jwt, $publicKey, ['HS256', 'RS256']);
}

function claims(Configuration $config, string $jwt): array
{
    $token = $config->parser()->parse($jwt);
    // expiry, audience and issuer never checked: only the constraints given run
    $config->validator()->assert($token, new SignedWith($config->signer(), $config->verificationKey()));
    return $token->claims()->all();
}
