throw new Error('boom while building the spec');
