namespace TinyCdp.Server.Tests.Fuzzing;

/// <summary>Where the request carries its (admin) key.</summary>
public enum KeyPlacement
{
    Bearer,
    Basic,
    XApiKey,
    Query,
    BodyWriteKey,
}

/// <summary>How a route answers bad input, and so how its 4xx answers are checked.</summary>
public enum RouteFamily
{
    /// <summary>Ingest: problem JSON with <c>errors</c> naming the field by its JSON path (<c>batch[3].timestamp</c>); the whole body is <c>body</c> or <c>message</c>.</summary>
    Ingest,

    /// <summary>OFREP evaluation: OFREP's own error shape, <c>{errorCode, errorDetails}</c>; details name <c>context…</c> or the request body.</summary>
    Ofrep,

    /// <summary>Admin and export routes with a JSON body or query parameters: problem JSON with <c>errors</c> naming the field or parameter; the whole body is <c>body</c>.</summary>
    Admin,
}

/// <summary>
/// What a rejection may name. <see cref="Fields"/>: the fields or parameters that were changed and the
/// ones related to them (an error may name one of these, a member inside one, or the object that holds
/// one). <see cref="WholeBody"/>: the change may make the whole body unreadable, so the error may name the
/// body. <see cref="KeyMayBeUnreadable"/>: the key travels in a body that may not be readable, so 401
/// <c>Valid API key required</c> is a correct answer. <see cref="MustBeTooLarge"/>: the body is over the
/// server's limit: 413.
/// </summary>
public sealed record Expectation(string[] Fields, bool WholeBody, bool KeyMayBeUnreadable = false, bool MustBeTooLarge = false)
{
    public static Expectation None { get; } = new([], false);

    public Expectation With(params string[] fields) => this with { Fields = [.. Fields, .. fields] };
}

/// <summary>One generated request. <see cref="ToString"/> is short: FsCheck prints it when a case fails.</summary>
public sealed record FuzzRequest(
    string Method,
    string PathAndQuery,
    byte[]? Body,
    string? ContentType,
    bool Chunked,
    KeyPlacement Key,
    string Story,
    Expectation Expect)
{
    public override string ToString() =>
        $"{Method} {(PathAndQuery.Length > 300 ? PathAndQuery[..300] + "…" : PathAndQuery)} [{Story}] key: {Key}, content type: {ContentType ?? "(none)"}{(Chunked ? ", chunked" : "")}, "
        + $"may name: [{string.Join(", ", Expect.Fields)}]{(Expect.WholeBody ? " or the body" : "")}, body: {JsonText.Show(Body)}";
}
