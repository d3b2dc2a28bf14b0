namespace ScaleControl.Sandbox.Tests.Kubernetes;

/// <summary>A namespaced example.io/v1 <c>Route</c> CRD for tests of how custom resources' lists merge.</summary>
internal static class RouteCrd
{
    /// <summary>The CRD whose <c>spec</c> has <paramref name="specProperties"/>: a JSON object of OpenAPI v3 schemas by field name.</summary>
    public static string With(string specProperties) =>
        """
        {"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition","metadata":{"name":"routes.example.io"},
         "spec":{"group":"example.io","scope":"Namespaced","names":{"plural":"routes","singular":"route","kind":"Route"},
          "versions":[{"name":"v1","served":true,"storage":true,"schema":{"openAPIV3Schema":{"type":"object","properties":{
            "spec":{"type":"object","properties":
        """ + specProperties + "}}}}}]}}";
}
