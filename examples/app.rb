# A Rails API with the verification mistakes jwt-lsp reports (ruby-jwt and devise-jwt).
require 'jwt'

PUBLIC_KEY = File.read('verification/service.pem')

Devise.setup do |config|
  config.jwt do |jwt|
    jwt.secret = 'super-secret' # hardcoded-secret (error: a known-weak secret)
  end
end

class ApiController < ApplicationController
  # verify-bearer-prefix, verify-missing-algorithms (a public key: ruby-jwt 2.2+ verifies HS256
  # only without `algorithm:`, 1.x lets the token pick), verify-missing-audience/-issuer
  def me
    JWT.decode(request.headers['Authorization'], PUBLIC_KEY)
  end

  # verify-alg-from-token, verify-large-leeway
  def legacy
    header = JWT.decode(cookies[:session], nil, false)[1]
    JWT.decode(cookies[:session], PUBLIC_KEY, true, algorithm: header['alg'], leeway: 86_400,
                                                    aud: 'api', verify_aud: true, iss: 'iss', verify_iss: true)
  end

  # decode-without-verify: `false` as `verify` returns claims anyone can write
  def peek
    JWT.decode(cookies[:session], nil, false).first['role']
  end

  # verify-expiry-disabled
  def stale
    JWT.decode(cookies[:session], Rails.application.credentials.jwt_secret!, true,
               algorithm: 'HS256', verify_expiration: false, aud: 'api', verify_aud: true, iss: 'iss', verify_iss: true)
  end

  # verify-allows-none: an unsigned token
  def guest_token
    JWT.encode({ sub: 'guest' }, nil, 'none')
  end
end
