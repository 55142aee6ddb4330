print("rtrl-bench: not yet")
