using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using TinyCdp.Keys;

namespace TinyCdp.Server.Auth;

/// <summary>
/// Authenticates a request by API key, taken from (in order) <c>Authorization: Bearer</c>,
/// <c>Authorization: Basic base64(key:)</c>, <c>X-API-Key</c>, and on ingest routes <c>?apiKey=</c>
/// or a <c>writeKey</c> body field. No key: no result (401 when the route needs one). An unknown or
/// revoked key: failure (401). The key's tier becomes a claim for the tier policies.
/// </summary>
internal sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IApiKeyService keys,
    ApiKeyPrincipal.Cache principals)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var secret = FromHeaders(Request) ?? await FromIngestRequestAsync().ConfigureAwait(false);
        if (secret is null)
        {
            return AuthenticateResult.NoResult();
        }

        var key = await keys.FindAsync(secret, Context.RequestAborted).ConfigureAwait(false);
        if (key is not { Active: true })
        {
            return AuthenticateResult.Fail("Valid API key required");
        }

        return AuthenticateResult.Success(new AuthenticationTicket(principals.For(key), SchemeName));
    }

    internal static string? FromHeaders(HttpRequest request)
    {
        var authorization = request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return NullIfEmpty(authorization[7..].Trim());
        }

        if (authorization.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(authorization[6..].Trim()));
                var colon = decoded.IndexOf(':', StringComparison.Ordinal);
                return NullIfEmpty(colon >= 0 ? decoded[..colon] : decoded);
            }
            catch (FormatException)
            {
                return null;
            }
        }

        return NullIfEmpty(request.Headers["X-API-Key"].ToString().Trim());
    }

    private async Task<string?> FromIngestRequestAsync()
    {
        if (Context.GetEndpoint()?.Metadata.GetMetadata<BodyKeyMetadata>() is null)
        {
            return null;
        }

        if (NullIfEmpty(Request.Query["apiKey"].ToString()) is { } queryKey)
        {
            return queryKey;
        }

        if (!HttpMethods.IsPost(Request.Method) || Request.ContentLength is > Hosting.ServerSetup.MaxRequestBodyBytes)
        {
            return null;
        }

        // Segment's libraries send the write key inside the body: read it without consuming the body.
        Request.EnableBuffering();
        try
        {
            using var buffer = new MemoryStream();
            await Request.Body.CopyToAsync(buffer, Context.RequestAborted).ConfigureAwait(false);
            return FindWriteKey(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
        }
        catch (Exception exception) when (exception is IOException or Microsoft.AspNetCore.Http.BadHttpRequestException)
        {
            return null;
        }
        finally
        {
            Request.Body.Position = 0;
        }
    }

    /// <summary>The top-level <c>writeKey</c> string of a JSON object; null when absent or not JSON.</summary>
    internal static string? FindWriteKey(ReadOnlySpan<byte> json)
    {
        if (json.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            json = json[3..];
        }

        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { AllowTrailingCommas = false, MaxDepth = 64 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isWriteKey = reader.ValueTextEquals("writeKey"u8);
                reader.Read();
                if (isWriteKey && reader.TokenType == JsonTokenType.String)
                {
                    return NullIfEmpty(reader.GetString());
                }

                reader.Skip();
            }
        }
        catch (JsonException)
        {
            // Malformed JSON carries no key; the endpoint reports the JSON error if the caller gets that far.
        }
        catch (InvalidOperationException)
        {
            // A writeKey that is not valid UTF-8 or holds an unpaired surrogate escape cannot be any key.
        }

        return null;
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
