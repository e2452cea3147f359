# Empty compiler generated dependencies file for cyberpact.
# This may be replaced when dependencies are built.
