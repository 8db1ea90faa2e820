"""Engine factory, base model, session scope, migrations, backup."""
