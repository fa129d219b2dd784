"""Running a render in another process: limits, signals, the render child."""
