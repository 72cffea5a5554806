using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace TinyCdp.AspNetCore;

/// <summary>
/// RFC 9457 problem details with the seed's two extra members, <c>code</c> and <c>message</c>. No
/// exception text ever goes into one.
/// </summary>
internal static class Problems
{
    public static IResult Result(int status, string code, string message, IDictionary<string, object?>? extensions = null)
    {
        var members = new Dictionary<string, object?>(StringComparer.Ordinal) { ["code"] = code, ["message"] = message };
        if (extensions is not null)
        {
            foreach (var (key, value) in extensions)
            {
                members[key] = value;
            }
        }

        return TypedResults.Problem(new ProblemDetails
        {
            Status = status,
            Title = Title(status),
            Detail = message,
            Type = $"https://tools.ietf.org/html/rfc9110#section-{Section(status)}",
            Extensions = members,
        });
    }

    public static IResult BadRequest(string message, IDictionary<string, object?>? extensions = null) =>
        Result(StatusCodes.Status400BadRequest, "invalid_argument", message, extensions);

    /// <summary>A 400 naming the field or parameter at fault in <c>errors</c> (field → messages).</summary>
    public static IResult FieldError(string field, string message) =>
        BadRequest(message, new Dictionary<string, object?> { ["errors"] = new Dictionary<string, string[]> { [field] = [message] } });

    public static IResult NotFound(string message) => Result(StatusCodes.Status404NotFound, "not_found", message);

    /// <summary>The exception handler: client mistakes the framework detects keep their 4xx; anything else is a bare 500.</summary>
    public static Task WriteUnhandledAsync(HttpContext context)
    {
        var exception = context.Features.Get<IExceptionHandlerFeature>()?.Error;
        var result = exception switch
        {
            Microsoft.AspNetCore.Http.BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } =>
                Result(StatusCodes.Status413PayloadTooLarge, "resource_exhausted", "request body too large"),
            Microsoft.AspNetCore.Http.BadHttpRequestException bad =>
                Result(bad.StatusCode, "invalid_argument", "the request is malformed"),
            TinyCdpException { Code: TinyCdpErrorCode.StoreUnavailable } =>
                Result(StatusCodes.Status503ServiceUnavailable, "unavailable", "the store is unavailable; nothing was stored"),
            _ => Result(StatusCodes.Status500InternalServerError, "internal", "An internal error occurred."),
        };
        return result.ExecuteAsync(context);
    }

    private static string Title(int status) => status switch
    {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        409 => "Conflict",
        413 => "Content Too Large",
        429 => "Too Many Requests",
        503 => "Service Unavailable",
        _ => "Internal Server Error",
    };

    private static string Section(int status) => status switch
    {
        400 => "15.5.1",
        401 => "15.5.2",
        403 => "15.5.4",
        404 => "15.5.5",
        409 => "15.5.10",
        413 => "15.5.14",
        429 => "15.5.21",
        503 => "15.6.4",
        _ => "15.6.1",
    };
}
