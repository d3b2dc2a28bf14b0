namespace ScaleControl.Core.Decisions;

/// <summary>A replica floor that announced traffic asks for, with what bounds the decision and the reason text.</summary>
public readonly record struct Floor(int Replicas, string BoundBy, string Reason);
