using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication;
using TinyCdp.Keys;

namespace TinyCdp.AspNetCore.Auth;

/// <summary>
/// Authenticates a request by API key, taken from (in order) <c>Authorization: Bearer</c>,
/// <c>Authorization: Basic base64(key:)</c>, <c>X-API-Key</c>, and on ingest routes <c>?apiKey=</c>
/// or a <c>writeKey</c> body field. No key: no result (401 when the route needs one). An unknown or
/// revoked key: failure (401). The key's tier becomes a claim for the tier policies.
/// </summary>
/// <remarks>
/// ASP.NET Core's authentication runs it (registered as the default scheme through
/// <c>AddAuthentication</c>; one instance per request, created by the framework's handler provider).
/// It implements <see cref="IAuthenticationHandler"/> itself rather than deriving from
/// <c>AuthenticationHandler&lt;TOptions&gt;</c>, which per request looks up its options, creates its
/// events and logger scope and wraps every call in its own task and result cache: for one hash and
/// one comparison that was most of the cost. Here a request with a known key costs the key lookup,
/// and its result is one of a few instances kept per key (<see cref="ApiKeyPrincipal.Cache"/>):
/// nothing of the answer is built per request.
/// </remarks>
internal sealed class ApiKeyAuthenticationHandler(IApiKeyService keys, ApiKeyPrincipal.Cache principals) : IAuthenticationHandler
{
    public const string SchemeName = "ApiKey";

    private const string FailureMessage = "Valid API key required";

    /// <summary>No key given; the same instance for every such request (nothing changes a result).</summary>
    private static readonly AuthenticateResult NoKey = AuthenticateResult.NoResult();

    /// <summary>An unknown or revoked key.</summary>
    private static readonly AuthenticateResult InvalidKey = AuthenticateResult.Fail(FailureMessage);

    private static readonly Task<AuthenticateResult> NoKeyTask = Task.FromResult(NoKey);
    private static readonly Task<AuthenticateResult> InvalidKeyTask = Task.FromResult(InvalidKey);

    private HttpContext _context = null!;

    /// <summary>This request's result, once computed (a body key is read once per request).</summary>
    private Task<AuthenticateResult>? _result;

    public Task InitializeAsync(AuthenticationScheme scheme, HttpContext context)
    {
        _context = context;
        _result = null;
        return Task.CompletedTask;
    }

    public Task<AuthenticateResult> AuthenticateAsync() => _result ??= Authenticate();

    public Task ChallengeAsync(AuthenticationProperties? properties)
    {
        _context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        return Task.CompletedTask;
    }

    public Task ForbidAsync(AuthenticationProperties? properties)
    {
        _context.Response.StatusCode = StatusCodes.Status403Forbidden;
        return Task.CompletedTask;
    }

    private Task<AuthenticateResult> Authenticate()
    {
        if (FromHeaders(_context.Request) is { } secret)
        {
            // Known keys are found without waiting (the service keeps them in memory): no task is built.
            var lookup = keys.FindAsync(secret, _context.RequestAborted);
            return lookup.IsCompletedSuccessfully ? ResultTask(lookup.Result) : AwaitKeyAsync(lookup);
        }

        return _context.GetEndpoint()?.Metadata.GetMetadata<BodyKeyMetadata>() is null ? NoKeyTask : FromIngestRequestAsync();
    }

    private Task<AuthenticateResult> ResultTask(ApiKeyInfo? key) =>
        key is { Active: true } ? principals.ResultFor(key) : InvalidKeyTask;

    private async Task<AuthenticateResult> AwaitKeyAsync(ValueTask<ApiKeyInfo?> lookup) =>
        await ResultTask(await lookup.ConfigureAwait(false)).ConfigureAwait(false);

    private async Task<AuthenticateResult> FromIngestRequestAsync()
    {
        var secret = await FromIngestRequestKeyAsync().ConfigureAwait(false);
        if (secret is null)
        {
            return NoKey;
        }

        var key = await keys.FindAsync(secret, _context.RequestAborted).ConfigureAwait(false);
        return key is { Active: true } ? await principals.ResultFor(key).ConfigureAwait(false) : InvalidKey;
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

    private async Task<string?> FromIngestRequestKeyAsync()
    {
        var request = _context.Request;
        if (NullIfEmpty(request.Query["apiKey"].ToString()) is { } queryKey)
        {
            return queryKey;
        }

        if (!HttpMethods.IsPost(request.Method) || request.ContentLength is > TinyCdpApiOptions.MaxRequestBodyBytes)
        {
            return null;
        }

        // Segment's libraries send the write key inside the body: read it without consuming the body.
        request.EnableBuffering();
        try
        {
            using var buffer = new MemoryStream();
            await request.Body.CopyToAsync(buffer, _context.RequestAborted).ConfigureAwait(false);
            return FindWriteKey(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
        }
        catch (Exception exception) when (exception is IOException or Microsoft.AspNetCore.Http.BadHttpRequestException)
        {
            return null;
        }
        finally
        {
            request.Body.Position = 0;
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
