using Microsoft.AspNetCore.Http;

namespace ScaleControl.Sandbox.Kubernetes.Http;

/// <summary>
/// <c>/openapi/v2</c>, an empty Swagger 2.0 document. kubectl 1.32 reads it only to validate what OpenAPI v3 does not
/// describe, such as the items of a <c>kind: List</c> (<c>kubectl get deploy -o yaml</c> saved and applied again); a 404
/// there fails the whole apply (<c>error validating data: the server could not find the requested resource</c>). With
/// no definitions kubectl skips that client-side check and the apiserver's own field validation still applies. kubectl
/// asks for gnostic's protobuf, where an empty message is an empty Document; anyone else gets JSON.
/// </summary>
internal static class OpenApiV2
{
    private const string ProtobufMediaType = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf";

    public static async Task WriteAsync(HttpContext context, string gitVersion)
    {
        context.Response.StatusCode = 200;
        if (context.Request.Headers.Accept.ToString().Contains("application/com.github.proto-openapi.spec.v2", StringComparison.OrdinalIgnoreCase))
        {
            context.Response.ContentType = ProtobufMediaType;
            context.Response.ContentLength = 0;
            return;
        }

        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(
            $$$"""{"swagger":"2.0","info":{"title":"Kubernetes","version":"{{{gitVersion}}}"},"paths":{},"definitions":{}}""", context.RequestAborted);
    }
}
