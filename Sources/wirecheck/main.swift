print("wirecheck")
