namespace TinyCdp.Ingestion;

/// <summary>The category of a <see cref="MessageError"/>; it decides the HTTP status.</summary>
public enum MessageErrorKind
{
    /// <summary>The body is not JSON, or not the JSON object expected (HTTP 400).</summary>
    Malformed,

    /// <summary>A field has the wrong type or value, or a required field is missing (HTTP 400).</summary>
    Invalid,

    /// <summary>A message, a batch body or a batch's message count is over its limit (HTTP 413).</summary>
    TooLarge,
}
