using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace ScaleControl.Server.Api;

/// <summary>
/// The limits of a request's head: its header block and its request target. Kestrel enforced its defaults (32 KiB, 100
/// fields, an 8 KiB request line) with a bare 431 or 414 and a closed connection, which clients show as "no body". The
/// product's limits are the same numbers, answered here as ProblemDetails naming the limit; Kestrel's own limits are set
/// twice as high, as the hard stop for a head the product never gets to read (docs/limitations.md).
/// </summary>
public static class RequestHeaderLimits
{
    public const int HeaderBytes = 32 * 1024;

    public const int HeaderCount = 100;

    public const int TargetBytes = 8 * 1024;

    /// <summary>Kestrel's own, above the product's: past these it answers with no body before any middleware runs.</summary>
    public const int HardFactor = 2;

    public static IServiceCollection AddRequestHeaderLimits(this IServiceCollection services) =>
        services.Configure<KestrelServerOptions>(kestrel =>
        {
            kestrel.Limits.MaxRequestHeadersTotalSize = HeaderBytes * HardFactor;
            kestrel.Limits.MaxRequestHeaderCount = HeaderCount * HardFactor;
            kestrel.Limits.MaxRequestLineSize = TargetBytes * HardFactor;
        });

    /// <summary>First in the pipeline: nothing reads a header before the head is known to be within the limits.</summary>
    public static IApplicationBuilder UseRequestHeaderLimits(this IApplicationBuilder app) => app.Use((http, next) =>
    {
        var (lines, bytes) = Measure(http.Request.Headers);
        var target = http.Features.Get<IHttpRequestFeature>()?.RawTarget?.Length ?? 0;
        var problem =
            lines > HeaderCount ? Problem(StatusCodes.Status431RequestHeaderFieldsTooLarge, $"Too many request header fields: the limit is {HeaderCount}",
                $"the request has {lines} header fields; at most {HeaderCount} are read.")
            : bytes > HeaderBytes ? Problem(StatusCodes.Status431RequestHeaderFieldsTooLarge, $"Request header fields too large: the limit is {HeaderBytes / 1024} KiB",
                $"the request's headers are {bytes} bytes; at most {HeaderBytes} are read (the total of every header line).")
            : target > TargetBytes ? Problem(StatusCodes.Status414UriTooLong, $"Request target too long: the limit is {TargetBytes / 1024} KiB",
                $"the path and query are {target} bytes; at most {TargetBytes} are read.")
            : null;
        return problem is null ? next(http) : problem.ExecuteAsync(http);
    });

    private static IResult Problem(int status, string title, string detail) => Results.Problem(statusCode: status, title: title, detail: detail);

    /// <summary>Header lines and their bytes as sent (<c>name: value\r\n</c> each), as Kestrel counts them.</summary>
    private static (int Lines, long Bytes) Measure(IHeaderDictionary headers)
    {
        var lines = 0;
        var bytes = 0L;
        foreach (var (name, values) in headers)
        {
            foreach (var value in values)
            {
                lines++;
                bytes += name.Length + 2 + (value?.Length ?? 0) + 2;
            }
        }

        return (lines, bytes);
    }
}
