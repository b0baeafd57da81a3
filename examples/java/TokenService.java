package com.example.orders;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.interfaces.DecodedJWT;
import io.jsonwebtoken.Claims;
import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.security.Keys;
import java.nio.charset.StandardCharsets;
import javax.crypto.SecretKey;
import javax.servlet.http.HttpServletRequest;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtDecoders;
import org.springframework.security.oauth2.jwt.JwtIssuerValidator;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;

/** Code examples for `jwt-lsp check examples/`: each method shows one Java finding. */
public class TokenService {
    // hardcoded-secret: a literal HMAC key (and a known-weak one).
    private static final String SECRET = "changeit";
    private final SecretKey key = Keys.hmacShaKeyFor(SECRET.getBytes(StandardCharsets.UTF_8));

    // verify-missing-audience, verify-large-leeway, verify-bearer-prefix.
    public Claims claims(HttpServletRequest request) {
        return Jwts.parserBuilder()
            .setSigningKey(key)
            .requireIssuer("https://auth.example.com")
            .setAllowedClockSkewSeconds(3600)
            .build()
            .parseClaimsJws(request.getHeader("Authorization"))
            .getBody();
    }

    // decode-without-verify: the claims of an unverified token decide who the user is.
    public String user(String token) {
        DecodedJWT jwt = JWT.decode(token);
        return jwt.getClaim("user").asString();
    }

    // verify-allows-none: java-jwt's `none` algorithm accepts unsigned tokens.
    public DecodedJWT unsigned(String token) {
        return JWT.require(Algorithm.none())
            .withAudience("orders-api")
            .withIssuer("https://auth.example.com")
            .build()
            .verify(token);
    }

    // verify-expiry-disabled: a validator without a JwtTimestampValidator replaces Spring's default.
    public JwtDecoder jwtDecoder() {
        NimbusJwtDecoder decoder = (NimbusJwtDecoder) JwtDecoders.fromIssuerLocation("https://auth.example.com");
        decoder.setJwtValidator(new JwtIssuerValidator("https://auth.example.com"));
        return decoder;
    }
}
