// An ASP.NET Core service with the verification mistakes jwt-lsp reports.
using System;
using System.IdentityModel.Tokens.Jwt;
using System.Linq;
using System.Text;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.Tokens;

var builder = WebApplication.CreateBuilder(args);

// hardcoded-secret (error: a published default)
var signingKey = new SymmetricSecurityKey(Encoding.UTF8.GetBytes("your-256-bit-secret"));

builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme)
    .AddJwtBearer(options =>
    {
        options.TokenValidationParameters = new TokenValidationParameters
        {
            IssuerSigningKey = signingKey,
            ValidIssuer = "https://issuer.example",
            ValidateAudience = false, // verify-missing-audience
            ClockSkew = TimeSpan.FromHours(2), // verify-large-leeway
        };
        // Set across statements: verify-expiry-disabled
        options.TokenValidationParameters.ValidateLifetime = false;
    });

var app = builder.Build();

app.MapGet("/me", (HttpContext context) =>
{
    var handler = new JwtSecurityTokenHandler();
    // decode-without-verify: claims read from a token nobody validated
    var jwt = handler.ReadJwtToken(context.Request.Headers.Authorization.ToString().Substring(7));
    return jwt.Claims.First(claim => claim.Type == "sub").Value;
});

app.MapPost("/check", (HttpContext context) =>
{
    var parameters = new TokenValidationParameters
    {
        IssuerSigningKey = signingKey,
        ValidIssuer = "https://issuer.example",
        ValidAudience = "orders-api",
        RequireSignedTokens = false, // verify-allows-none
    };
    // verify-bearer-prefix: the raw header still starts with `Bearer `
    new JwtSecurityTokenHandler().ValidateToken(context.Request.Headers["Authorization"], parameters, out _);
    return "ok";
});

app.Run();
