using System.Net.Http.Headers;
using Microsoft.Extensions.DependencyInjection;
using TinyCdp.Definitions;

namespace TinyCdp.Server.Tests.Fuzzing;

/// <summary>
/// The server behind real Kestrel (its request limits and HTTP parsing are part of what is tested), and
/// the one way fuzz cases are sent: with a timeout, the store's fingerprint taken before and after, and
/// the answer checked by <see cref="ResponseRules"/>.
/// </summary>
public sealed class FuzzServerFactory : ServerFactoryBase
{
    /// <summary>Longer than any answer should take; reaching it is a failure (a hang).</summary>
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(10);

    private readonly Lazy<HttpClient> _client;
    private readonly Lazy<StoreFingerprint> _fingerprint;
    private string _previous = "(none)";

    public FuzzServerFactory()
    {
        UseKestrel(0);
        StartServer();
        _client = new(() =>
        {
            var client = CreateClient();
            client.Timeout = RequestTimeout;
            return client;
        });
        _fingerprint = new(() => new StoreFingerprint(DatabasePath));
    }

    /// <summary>The status of the last answer <see cref="SendAsync"/> received.</summary>
    public int LastStatus { get; private set; }

    /// <summary>Sends one case and returns what is wrong with the answer, or null.</summary>
    internal async Task<string?> SendAsync(RouteFamily family, FuzzRequest fuzz)
    {
        var definitions = Services.GetRequiredService<IDefinitionsService>();
        await definitions.WaitForBackfillAsync();
        var before = _fingerprint.Value.Take();
        var logged = Logs.Count;

        var previous = _previous;
        _previous = fuzz.ToString();
        using var request = Build(fuzz);
        HttpResponseMessage response;
        byte[] body;
        try
        {
            response = await _client.Value.SendAsync(request);
            body = await response.Content.ReadAsByteArrayAsync();
        }
        catch (TaskCanceledException)
        {
            return $"no answer within {RequestTimeout.TotalSeconds:0} s";
        }
        catch (HttpRequestException exception)
        {
            return $"the connection failed: {exception.Message} {exception.InnerException?.Message}{ServerErrors(logged, connection: true)}{Environment.NewLine}  the request before: {previous}";
        }

        using (response)
        {
            var status = (int)response.StatusCode;
            LastStatus = status;
            var failure = ResponseRules.Check(family, fuzz, status, response.Content.Headers.ContentType?.MediaType, body);
            if (failure is null && status is >= 400 and < 500)
            {
                await definitions.WaitForBackfillAsync();
                var after = _fingerprint.Value.Take();
                if (after != before)
                {
                    failure = $"a rejected request ({status}) changed the store: before {before}; after {after}";
                }
            }

            return failure is null ? null : $"{failure}{Environment.NewLine}  answer: {status} {JsonText.Show(body, 600)}{ServerErrors(logged)}";
        }
    }

    /// <summary>What the server logged at Warning and above while serving the case: the exception behind a 500.</summary>
    private string ServerErrors(int logged, bool connection = false)
    {
        var errors = Logs.Since(logged)
            .Where(e => e.StartsWith("Warning", StringComparison.Ordinal) || e.StartsWith("Error", StringComparison.Ordinal) || e.StartsWith("Critical", StringComparison.Ordinal)
                || (connection && e.Contains(" Microsoft.AspNetCore.Server.Kestrel", StringComparison.Ordinal)))
            .Select(e => string.Join(Environment.NewLine + "    ", e.Split('\n').Take(12)))
            .ToList();
        return errors.Count == 0 ? "" : $"{Environment.NewLine}  server log:{Environment.NewLine}    {string.Join(Environment.NewLine + "    ", errors)}";
    }

    private static HttpRequestMessage Build(FuzzRequest fuzz)
    {
        var path = fuzz.PathAndQuery;
        if (fuzz.Key == KeyPlacement.Query)
        {
            path += (path.Contains('?', StringComparison.Ordinal) ? "&" : "?") + "apiKey=" + Uri.EscapeDataString(AdminKey);
        }

        var request = new HttpRequestMessage(new HttpMethod(fuzz.Method), new Uri(path, UriKind.Relative));
        switch (fuzz.Key)
        {
            case KeyPlacement.Bearer:
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
                break;
            case KeyPlacement.Basic:
                request.Headers.Authorization = IngestTestHelpers.Basic(AdminKey);
                break;
            case KeyPlacement.XApiKey:
                request.Headers.Add("X-API-Key", AdminKey);
                break;
        }

        if (fuzz.Body is { } bytes)
        {
            HttpContent content = fuzz.Chunked ? new StreamContent(new MemoryStream(bytes)) : new ByteArrayContent(bytes);
            if (fuzz.ContentType is { } type)
            {
                content.Headers.TryAddWithoutValidation("Content-Type", type);
            }

            request.Content = content;

            // A careful client waits for 100 Continue before a large upload, so that a server refusing
            // it early need not read it (else the refusal can race a connection reset on the client).
            request.Headers.ExpectContinue = bytes.Length > FuzzRoutes.BodyLimit;
            if (fuzz.Chunked)
            {
                request.Headers.TransferEncodingChunked = true;
            }
        }

        return request;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            if (_client.IsValueCreated)
            {
                _client.Value.Dispose();
            }

            if (_fingerprint.IsValueCreated)
            {
                _fingerprint.Value.Dispose();
            }
        }

        base.Dispose(disposing);
    }
}
