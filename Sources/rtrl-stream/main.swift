print("rtrl-stream: not yet")
